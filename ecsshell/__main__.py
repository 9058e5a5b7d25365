"""Run ecsshell as `python -m ecsshell`."""

import sys

from .cli import main

sys.exit(main())
