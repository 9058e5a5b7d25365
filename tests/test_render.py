"""Renderers: model objects in, text and JSON out; no AWS needed."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tokens import not_whole

from ecsshell.model import (
    Cluster,
    ContainerDef,
    Deployment,
    Family,
    LoadBalancer,
    LoadBalancerRef,
    Revision,
    RunFailure,
    Service,
    ServiceEvent,
    TargetGroup,
    TargetHealth,
    Task,
    TaskContainer,
    TaskDefinition,
)
from ecsshell.render import jsonout
from ecsshell.render.diff import diff_renderable, taskdef_diff
from ecsshell.render.taskdef import highlighted, task_definition_json
from ecsshell.render.text import to_text
from ecsshell.render.views import (
    check_report,
    clusters_table,
    families_table,
    load_balancers_view,
    revisions_table,
    run_result,
    service_detail,
    services_table,
    tasks_table,
)
from ecsshell.render.views.taskdefs import format_port
from ecsshell.secrets import MASK, env_pairs, is_secret_name, mask

ACCOUNT = "123456789012"
T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
LONG_IMAGE = "registry.example.com:5000/team/" + "a" * 262 + ":v1.2.3"
LONG_MESSAGE = "(service web) " + " ".join(f"word{i:03d}" for i in range(48)) + " " + "z" * 12
LONG_ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/" + "fam" * 30 + ":8"
TG_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/web-tg/0123456789abcdef"
ESC = "\x1b"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def td_arn(family: str, revision: int) -> str:
    return f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/{family}:{revision}"


def make_container(**overrides: Any) -> ContainerDef:
    values: dict[str, Any] = {
        "name": "web",
        "image": LONG_IMAGE,
        "cpu": 256,
        "memory": 512,
        "memory_reservation": 128,
        "port_mappings": ({"containerPort": 8080, "hostPort": 80, "protocol": "tcp"},),
        "command": ("sh", "-c", "echo hi && sleep 10"),
        "entry_point": ("/docker-entrypoint.sh", "--flag"),
        "environment": (
            ("PORT", "8080"),
            ("KEYBOARD_LAYOUT", "us"),
            ("DB_PASSWORD", "hunter2-db"),
            ("apiKey", "k-123456"),
        ),
        "secrets": (("GITHUB_TOKEN", "arn:aws:ssm:us-east-1:123456789012:parameter/gh-token"),),
        "log_configuration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": "/ecs/web", "splunk-token": "tok-999"},
        },
        "health_check": {"command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"], "interval": 30},
    }
    values.update(overrides)
    return ContainerDef(**values)


def make_task_def(revision: int = 8, *containers: ContainerDef) -> TaskDefinition:
    cs = containers or (make_container(),)
    raw_containers = [
        {
            "name": c.name,
            "image": c.image,
            "cpu": c.cpu,
            "portMappings": [dict(m) for m in c.port_mappings],
            "essential": c.essential,
            "environment": [{"name": k, "value": v} for k, v in c.environment],
            "mountPoints": [],
        }
        for c in cs
    ]
    raw = {
        "taskDefinition": {
            "taskDefinitionArn": td_arn("web", revision),
            "containerDefinitions": raw_containers,
            "family": "web",
            "networkMode": "awsvpc",
            "revision": revision,
            "volumes": [],
            "status": "ACTIVE",
            "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.docker-remote-api.1.18"}],
            "compatibilities": ["EC2", "FARGATE"],
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "256",
            "memory": "512",
            "registeredAt": T0 + timedelta(minutes=revision),
            "registeredBy": f"arn:aws:iam::{ACCOUNT}:root",
        },
        "tags": [{"key": "team", "value": "core"}],
    }
    return TaskDefinition(
        arn=td_arn("web", revision),
        family="web",
        revision=revision,
        status="ACTIVE",
        containers=cs,
        cpu="256",
        memory="512",
        network_mode="awsvpc",
        task_role_arn=f"arn:aws:iam::{ACCOUNT}:role/web-task",
        execution_role_arn=f"arn:aws:iam::{ACCOUNT}:role/web-exec",
        requires_compatibilities=("FARGATE",),
        tags=(("team", "core"),),
        raw=raw,
    )


def make_events(count: int = 12) -> tuple[ServiceEvent, ...]:
    """Return events newest first; event 5 carries the long message."""
    return tuple(
        ServiceEvent(
            id=f"ev-{i}",
            created_at=T0 + timedelta(minutes=i),
            message=LONG_MESSAGE if i == 5 else f"(service web) event number {i}",
        )
        for i in range(count, 0, -1)
    )


def make_service(**overrides: Any) -> Service:
    values: dict[str, Any] = {
        "name": "web",
        "arn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/prod/web",
        "cluster_arn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/prod",
        "status": "ACTIVE",
        "desired": 2,
        "running": 2,
        "pending": 0,
        "task_definition_arn": td_arn("web", 8),
        "launch_type": "FARGATE",
        "deployments": (
            Deployment("ecs-svc/1111", "PRIMARY", td_arn("web", 8), 2, 2, 0, 0, "COMPLETED",
                       "ECS deployment ecs-svc/1111 completed.", T0, T0),
            Deployment("ecs-svc/0000", "ACTIVE", td_arn("web", 7), 2, 1, 0, 3, "FAILED",
                       "tasks failed to start", T0, T0),
        ),
        "events": make_events(),
        "load_balancers": (LoadBalancerRef("web", 8080, target_group_arn=TG_ARN),),
        "created_at": T0,
    }
    values.update(overrides)
    return Service(**values)


def make_tasks() -> list[Task]:
    return [
        Task(f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/prod/0123456789abcdef0123456789abcdef", td_arn("web", 8),
             "RUNNING", "RUNNING", "HEALTHY", "service:web", "FARGATE", started_at=T0,
             containers=(TaskContainer("web", "RUNNING", health="HEALTHY"),)),
        Task(f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/prod/fedcba9876543210fedcba9876543210", td_arn("web", 7),
             "RUNNING", "RUNNING", None, "service:web", "FARGATE", started_at=T0),
    ]


def squash(text: str) -> str:
    """Remove all whitespace so folded cells can be searched for whole values."""
    return re.sub(r"\s+", "", text)


def column(text: str, header: str, after: str = "") -> str:
    """Return one column of a table, every row's folded lines joined, without whitespace.

    The table's header starts on the line after the first one containing `after` and its rows end
    at a blank or WARNING line. The rule under the header marks each column's span with dashes.
    """
    lines = text.splitlines()
    top = next(i for i, line in enumerate(lines) if after in line) + 1
    rule_at = next(i for i, line in enumerate(lines) if i >= top and line and set(line) <= {"-", " "})
    bottom = next(
        (i for i, line in enumerate(lines) if i > rule_at and (not line or line.startswith("WARNING"))),
        len(lines),
    )
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", lines[rule_at])]
    headers = [squash(" ".join(line[a:b] for line in lines[top:rule_at])) for a, b in spans]
    start, end = spans[headers.index(squash(header))]
    return squash("".join(line[start:end] for line in lines[rule_at + 1 : bottom]))


def detail(**overrides: Any) -> str:
    args: dict[str, Any] = {"verbose": True, "events": 12, "show_secrets": False}
    width = overrides.pop("width", None)
    color = overrides.pop("color", False)
    args.update(overrides)
    renderable = service_detail(make_service(), make_task_def(), make_tasks(), **args)
    return to_text(renderable, width=width, color=color)


# No truncation ------------------------------------------------------------------------------


def test_long_values_survive_whole_when_not_a_terminal() -> None:
    td = make_task_def()
    listing = to_text(services_table("prod", [make_service()], {td.arn: td}, total=1), width=None, color=False)
    text = detail()
    assert TG_ARN in text
    assert LONG_IMAGE in listing  # whole, on one line
    assert LONG_IMAGE in text
    assert LONG_MESSAGE in text
    assert "…" not in listing + text
    assert max(len(line) for line in listing.splitlines()) > 300  # no 80-column assumption
    assert all(line == line.rstrip() for line in (listing + "\n" + text).splitlines())


@pytest.mark.parametrize("width", [20, 40, 80, 132, 200])
def test_long_values_survive_folded_in_a_terminal(width: int) -> None:
    td = make_task_def()
    listing = to_text(services_table("prod", [make_service()], {td.arn: td}, total=1, wide=True), width=width,
                      color=False)
    text = detail(width=width)
    for value in (LONG_IMAGE, LONG_MESSAGE, TG_ARN):
        assert squash(value) in squash(text)
    tasks = text[text.index("Tasks (2)") :]
    if "-----" not in tasks.splitlines()[2]:  # drawn as records
        assert all(squash(t.arn) in squash(tasks) for t in make_tasks())
    else:
        assert column(text, "task", "Tasks (2)") == squash("".join(t.arn for t in make_tasks()))
    if "-----" in listing:  # drawn as a table: read the images column back
        assert column(listing, "images", "in cluster") == squash(LONG_IMAGE)
    else:  # drawn as a record per service
        assert squash(LONG_IMAGE) in squash(listing)
    assert "…" not in listing + text
    assert all(len(line) <= width for line in (listing + "\n" + text).splitlines())


def test_wide_listing_keeps_the_table_and_folds_the_image_only_where_nothing_else_could() -> None:
    td = make_task_def()
    listing = to_text(services_table("prod", [make_service()], {td.arn: td}, total=1, wide=True), width=160,
                      color=False)
    assert "-----" in listing and len(listing.splitlines()) > 4
    assert column(listing, "images", "in cluster") == squash(LONG_IMAGE)  # 300 characters: no screen row holds it
    deployments = "PRIMARY web:8 2/2 COMPLETED; ACTIVE web:7 1/2 FAILED"
    assert column(listing, "deployments", "in cluster") == squash(deployments)
    assert not not_whole(deployments.split(), listing)  # every token of it whole
    assert column(listing, "service", "in cluster") == "web"


def test_short_listing_is_one_line_with_the_short_image() -> None:
    td = make_task_def()
    for width in (80, 160, None):
        listing = to_text(services_table("prod", [make_service()], {td.arn: td}, total=1), width=width, color=False)
        rows = [line for line in listing.splitlines() if line.startswith("web ")]
        assert len(rows) == 1, listing
        assert re.search(r"^web\s+ACTIVE\s+2/2/0\b", rows[0]), listing
        if width != 80:
            assert "web:8" in rows[0] and "COMPLETED" in rows[0]
    assert LONG_IMAGE in to_text(services_table("prod", [make_service()], {td.arn: td}, total=1), width=None,
                                 color=False)  # no valid reference (its name is over 255 characters): as it is


def test_long_task_definition_arn_survives_in_families_and_revisions() -> None:
    families = families_table([Family("fam" * 30, 8, LONG_ARN)], wide=True)
    revisions = revisions_table("fam", [Revision("fam", 8, LONG_ARN, "ACTIVE"),
                                        Revision("fam", 7, LONG_ARN[:-1] + "7", "INACTIVE")], wide=True)
    for renderable in (families, revisions):
        assert LONG_ARN in to_text(renderable, width=None, color=False)
    assert column(to_text(families, width=60, color=False), "arn", "family") == squash(LONG_ARN)
    assert column(to_text(revisions, width=60, color=False), "arn", "revisions") == squash(
        LONG_ARN + LONG_ARN[:-1] + "7"
    )
    plain = to_text(revisions, width=None, color=False)
    assert re.search(r"fam:7\s+INACTIVE\s+" + re.escape(LONG_ARN[:-1] + "7"), plain)
    short = to_text(revisions_table("fam", [Revision("fam", 8, LONG_ARN, "ACTIVE")]), width=None, color=False)
    assert "arn" not in short and re.search(r"fam:8\s+ACTIVE$", short, re.M)  # no ARN repeating fam:8
    assert "arn" not in to_text(families_table([Family("fam", 8, LONG_ARN)]), width=None, color=False)


@settings(max_examples=25, deadline=None)
@given(
    width=st.integers(min_value=1, max_value=400),
    message=st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=500),
)
def test_no_width_loses_any_character(width: int, message: str) -> None:
    service = make_service(events=(ServiceEvent("e", T0, message),))
    text = to_text(
        service_detail(service, make_task_def(), make_tasks(), verbose=False, events=1, show_secrets=False),
        width=width,
        color=False,
    )
    assert squash(message) in squash(text)
    assert squash(LONG_IMAGE) in squash(text)


def test_markup_in_values_is_printed_literally() -> None:
    service = make_service(events=(ServiceEvent("e", T0, "[bold]not markup[/bold] :smile:"),))
    text = to_text(service_detail(service, None, [], verbose=False, events=1, show_secrets=False),
                   width=None, color=False)
    assert "[bold]not markup[/bold] :smile:" in text
    assert "Task definition web:8 not found" in text


# Plain versus colour --------------------------------------------------------------------------


def test_plain_text_has_no_escapes_and_ascii_rules() -> None:
    plain = detail()
    assert ESC not in plain
    assert "─" not in plain and "-----" in plain
    coloured = detail(color=True)
    assert ESC in coloured and "─" in coloured
    assert ANSI.sub("", coloured).replace("─", "-") == plain


def test_text_reads_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    table = clusters_table([Cluster("prod-" + "x" * 100, "arn:c", "ACTIVE", 3, 4, 1, 2)])
    coloured, plain = to_text(table, width=200, color=True), to_text(table, width=200, color=False)
    for name, value in (("TERM", "dumb"), ("NO_COLOR", "1"), ("FORCE_COLOR", "1"), ("COLUMNS", "30")):
        monkeypatch.setenv(name, value)
    assert to_text(table, width=200, color=True) == coloured
    assert to_text(table, width=200, color=False) == plain
    assert len(plain.splitlines()) == 4  # heading, header, rule, one row: nothing folded at 80 columns


# Events ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1, 3, 10])
def test_exactly_n_most_recent_events_newest_first(count: int) -> None:
    text = detail(events=count)
    shown = re.findall(r"event number (\d+)", text)
    expected = [str(i) for i in range(12, 12 - count, -1) if i != 5]
    assert shown == expected
    assert (LONG_MESSAGE in text) is (count >= 8)
    if count:
        assert "2024-05-01 12:12:00Z" in text
    else:
        assert "Events" not in text


def test_more_events_asked_than_exist_shows_them_all() -> None:
    text = detail(events=500)
    assert len(re.findall(r"event number \d+", text)) == 11
    assert LONG_MESSAGE in text


# Secrets --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["DB_PASSWORD", "PASSWORD", "passwd", "API_KEY", "AWS_SECRET_ACCESS_KEY", "PRIVATE_KEY", "apiKey",
     "GithubToken", "AUTH_TOKEN", "DATABASE_DSN", "SENTRY_DSN", "DB_CONNECTION_STRING", "MYSQL_PWD",
     "GOOGLE_CREDENTIALS", "client.secret", "x-api-key", "DBPASSWORD", "SECRETKEY", "SESSION_KEY2"],
)
def test_secret_looking_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    ["PORT", "KEYBOARD_LAYOUT", "MONKEY_MODE", "AUTHOR", "PASSENGER_COUNT", "TOKENIZER_MODEL", "HOST",
     "LOG_LEVEL", "PATH", "donkey"],
)
def test_ordinary_names(name: str) -> None:
    assert not is_secret_name(name)


def test_mask_reveals_nothing() -> None:
    assert mask("a") == mask("a much longer secret value") == mask("") == MASK
    pairs = env_pairs(make_container(), show_secrets=False)
    assert pairs == [("PORT", "8080"), ("KEYBOARD_LAYOUT", "us"), ("DB_PASSWORD", MASK), ("apiKey", MASK)]
    assert env_pairs(make_container(), show_secrets=True)[2] == ("DB_PASSWORD", "hunter2-db")


def test_service_detail_masks_environment_unless_asked() -> None:
    text = detail()
    assert "PORT=8080" in text and "KEYBOARD_LAYOUT=us" in text
    assert f"DB_PASSWORD={MASK}" in text and f"apiKey={MASK}" in text
    assert "hunter2" not in text and "k-123456" not in text
    assert "tok-999" not in text and f"splunk-token={MASK}" in text
    # Secrets: name and valueFrom only.
    assert "GITHUB_TOKEN from arn:aws:ssm:us-east-1:123456789012:parameter/gh-token" in text
    shown = detail(show_secrets=True)
    assert "DB_PASSWORD=hunter2-db" in shown and "splunk-token=tok-999" in shown


def test_environment_only_in_verbose() -> None:
    assert "PORT=8080" not in detail(verbose=False)


# Containers -----------------------------------------------------------------------------------


def test_command_and_entry_point_are_shell_strings() -> None:
    text = detail(verbose=False)
    assert "sh -c 'echo hi && sleep 10'" in text
    assert "/docker-entrypoint.sh --flag" in text
    assert "0x" not in text and "('sh'" not in text
    assert "80->8080/tcp" in text


def test_verbose_shows_task_and_container_settings() -> None:
    text = detail()
    for expected in ("network mode", "awsvpc", f"arn:aws:iam::{ACCOUNT}:role/web-task",
                     f"arn:aws:iam::{ACCOUNT}:role/web-exec", "requires compatibilities", "FARGATE",
                     "memory reservation", "essential", "awslogs-group=/ecs/web",
                     "CMD-SHELL curl -f http://localhost/ || exit 1; interval 30s"):
        assert expected in text
    assert "role/web-task" not in detail(verbose=False)


def test_port_formats() -> None:
    assert format_port({"containerPort": 8080, "hostPort": 80, "protocol": "tcp"}) == "80->8080/tcp"
    assert format_port({"containerPort": 53, "protocol": "udp"}) == "53/udp"
    assert format_port({"containerPort": 8080, "hostPort": 0}) == "dynamic->8080/tcp"


def test_several_containers_listed_by_name() -> None:
    sidecar = make_container(name="envoy", image="envoyproxy/envoy:v1.29")
    td = make_task_def(8, make_container(), sidecar)
    text = to_text(services_table("prod", [make_service()], {"web:8": td}, total=1, wide=True), width=None,
                   color=False)
    assert f"web={LONG_IMAGE}" in text and "envoy=envoyproxy/envoy:v1.29" in text
    short = to_text(services_table("prod", [make_service()], {"web:8": td}, total=1), width=None, color=False)
    assert re.search(r"team/a+:v1\.2\.3 \+envoy\b", short)


# Services, tasks, warnings --------------------------------------------------------------------


def test_services_table_header_counts_and_deployments() -> None:
    td = make_task_def()
    text = to_text(services_table("prod", [make_service()], {td.arn: td}, total=37, wide=True), width=None,
                   color=False)
    assert text.splitlines()[0] == "37 services in cluster prod (showing 1)"
    assert "PRIMARY web:8 2/2 COMPLETED; ACTIVE web:7 1/2 FAILED" in text
    assert "tg/web-tg (web:8080)" in text
    assert re.search(r"web\s+ACTIVE\s+2\s+2\s+0\s+web:8", text)
    short = to_text(services_table("prod", [make_service()], {td.arn: td}, total=37), width=None, color=False)
    assert short.splitlines()[0] == "37 services in cluster prod (showing 1)"
    assert re.search(r"web\s+ACTIVE\s+2/2/0\s+web:8\s+\S+/team/a+:v1\.2\.3\s+COMPLETED\s+\S+$", short, re.M)


def test_revision_mismatch_is_flagged() -> None:
    text = detail(verbose=False)
    assert "task uses web:7 but service uses web:8" in text
    assert "WARNING: task uses web:7 but service uses web:8" in text
    tasks = [make_tasks()[0]]
    clean = to_text(service_detail(make_service(), make_task_def(), tasks, verbose=False, events=0,
                                   show_secrets=False), width=None, color=False)
    assert "but service uses" not in clean


def test_deployments_table_shows_counts_and_rollout() -> None:
    text = detail(verbose=False)
    assert re.search(r"ecs-svc/0000\s+ACTIVE\s+web:7\s+2\s+1\s+0\s+3\s+FAILED tasks failed to start", text)


def test_tasks_and_run_result() -> None:
    stopped = Task(f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/prod/dead", td_arn("job", 2), "STOPPED", "STOPPED",
                   None, None, stopped_at=T0, stopped_reason="Essential container in task exited",
                   containers=(TaskContainer("job", "STOPPED", exit_code=3),))
    text = to_text(tasks_table([*make_tasks(), stopped]), width=None, color=False)
    assert "Essential container in task exited" in text and "job STOPPED exit 3" in text
    result = to_text(run_result([stopped], [RunFailure("arn:aws:ecs:x", "RESOURCE:MEMORY", "not enough")]),
                     width=None, color=False)
    assert "dead" in result and "job:2" in result and "STOPPED" in result
    assert re.search(r"arn:aws:ecs:x\s+RESOURCE:MEMORY\s+not enough", result)


def test_clusters_table() -> None:
    text = to_text(clusters_table([Cluster("prod", "arn:c", "ACTIVE", 3, 4, 1, 2)]), width=None, color=False)
    assert re.search(r"prod\s+ACTIVE\s+3\s+4\s+1\s+2", text)


def test_load_balancers_show_unhealthy_targets_with_reasons() -> None:
    tg = TargetGroup(TG_ARN, "web-tg", 8080, "HTTP", targets=(
        TargetHealth("10.0.0.1", 8080, "healthy"),
        TargetHealth("10.0.0.2", 8080, "unhealthy", "Target.ResponseCodeMismatch",
                     "Health checks failed with these codes: [502]"),
    ))
    alb = LoadBalancer("web-alb", "application", "web-alb-1.us-east-1.elb.amazonaws.com",
                       listeners=("HTTP:80 -> forward tg/web-tg",), target_groups=(tg,))
    elb = LoadBalancer("legacy", "classic", "legacy.elb.amazonaws.com",
                       instances=(TargetHealth("i-0abc", None, "OutOfService", "Instance",
                                               "Instance has failed at least the UnhealthyThreshold"),))
    text = to_text(load_balancers_view([alb, elb]), width=None, color=False)
    for expected in ("web-alb (application)", "web-alb-1.us-east-1.elb.amazonaws.com",
                     "HTTP:80 -> forward tg/web-tg", "web-tg 8080/HTTP: healthy 1, unhealthy 1",
                     "Target.ResponseCodeMismatch", "Health checks failed with these codes: [502]",
                     "legacy (classic)", "in service 0, out of service 1", "i-0abc", "OutOfService"):
        assert expected in text


def test_check_report() -> None:
    assert to_text(check_report([], "OK: web runs 2 tasks on web:8"), width=None, color=False) == (
        "OK: web runs 2 tasks on web:8"
    )
    text = to_text(check_report(["no RUNNING task", "task uses web:7 but service uses web:8"], "OK"),
                   width=None, color=False)
    assert text.splitlines() == ["WARNING: no RUNNING task", "WARNING: task uses web:7 but service uses web:8"]


# JSON -----------------------------------------------------------------------------------------


def test_service_document_is_json_with_iso_dates_and_masked_env() -> None:
    doc = json.loads(jsonout.dumps(jsonout.service_document(make_service(), make_task_def(), make_tasks(),
                                                            show_secrets=False)))
    assert doc["service"]["createdAt"] == "2024-05-01T12:00:00+00:00"
    assert doc["service"]["events"][0]["createdAt"] == "2024-05-01T12:12:00+00:00"
    assert doc["service"]["ecsshell"]["revision"] == "web:8"
    env = doc["taskDefinition"]["containerDefinitions"][0]["environment"]
    assert {"name": "DB_PASSWORD", "value": MASK} in env and {"name": "PORT", "value": "8080"} in env
    assert doc["taskDefinition"]["containerDefinitions"][0]["mountPoints"] == []  # ECS's answer, whole
    assert doc["taskDefinition"]["ecsshell"]["tags"] == [{"key": "team", "value": "core"}]
    assert "raw" not in doc["taskDefinition"]
    assert doc["tasks"][1]["ecsshell"]["id"] == "fedcba9876543210fedcba9876543210"
    assert doc["warnings"] == ["task uses web:7 but service uses web:8"]
    text = jsonout.dumps(jsonout.service_document(make_service(), make_task_def(), make_tasks()))
    assert "hunter2" not in text and "tok-999" not in text
    shown = jsonout.dumps(jsonout.service_document(make_service(), make_task_def(), make_tasks(), True))
    assert "hunter2-db" in shown


def test_to_jsonable_handles_plain_values() -> None:
    data = {"when": T0, "items": (1, "x", None), "nested": [make_tasks()[0]]}
    loaded = json.loads(jsonout.dumps(data))
    assert loaded["when"] == "2024-05-01T12:00:00+00:00"
    assert loaded["items"] == [1, "x", None]
    assert loaded["nested"][0]["startedAt"] == "2024-05-01T12:00:00+00:00"
    assert jsonout.dumps("é") == '"é"'


def test_task_definition_json_keeps_ecs_order_and_iso_dates() -> None:
    text = task_definition_json(make_task_def())
    doc = json.loads(text)
    assert list(doc)[:3] == ["taskDefinitionArn", "containerDefinitions", "family"]
    assert list(doc)[-1] == "tags"
    assert doc["registeredAt"] == "2024-05-01T12:08:00+00:00"
    assert {"name": "DB_PASSWORD", "value": "hunter2-db"} in doc["containerDefinitions"][0]["environment"]
    masked = json.loads(task_definition_json(make_task_def(), mask_secrets=True))
    assert {"name": "DB_PASSWORD", "value": MASK} in masked["containerDefinitions"][0]["environment"]


def test_task_definition_json_without_raw_answer() -> None:
    td = TaskDefinition(td_arn("web", 3), "web", 3, "ACTIVE", (make_container(),))
    doc = json.loads(task_definition_json(td))
    assert doc["family"] == "web" and doc["revision"] == 3
    assert doc["containerDefinitions"][0]["command"] == ["sh", "-c", "echo hi && sleep 10"]


def test_highlighting() -> None:
    text = task_definition_json(make_task_def())
    assert ESC not in to_text(highlighted(text, False), width=None, color=True)
    assert to_text(highlighted(text, False), width=None, color=False) == text
    coloured = to_text(highlighted(text, True), width=None, color=True)
    assert ESC in coloured
    assert ANSI.sub("", coloured) == text
    assert squash(LONG_IMAGE) in squash(ANSI.sub("", to_text(highlighted(text, True), width=80, color=True)))


# Diff -----------------------------------------------------------------------------------------


def test_diff_shows_only_the_changed_image() -> None:
    old = make_task_def(7).raw
    new_td = make_task_def(8, make_container(image="nginx:1.27"))
    new = dict(new_td.raw)
    new["taskDefinition"] = {**new["taskDefinition"]}
    new["taskDefinition"]["containerDefinitions"][0]["environment"].reverse()  # order means nothing
    text = taskdef_diff(old, new, "web:7", "web:8")
    changed = [line for line in text.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == [f'-      "image": "{LONG_IMAGE}",', '+      "image": "nginx:1.27",']
    assert text.startswith("--- web:7\n+++ web:8\n")
    assert "revision" not in text and "registeredAt" not in text
    assert taskdef_diff(old, make_task_def(9).raw, "web:7", "web:9") == ""
    bare = taskdef_diff(old["taskDefinition"], new, "a", "b")  # a bare taskDefinition has no tags
    assert '+  "tags": [' in bare and '"image": "nginx:1.27"' in bare


def test_diff_renderable() -> None:
    text = taskdef_diff(make_task_def(7).raw, make_task_def(8, make_container(image="x:1")).raw, "a", "b")
    assert to_text(diff_renderable(text, False), width=None, color=True) == text
    coloured = to_text(diff_renderable(text, True), width=None, color=True)
    assert ESC in coloured and ANSI.sub("", coloured) == text


def test_taskdef_diff_masks_secret_values_but_shows_that_they_change() -> None:
    from ecsshell.render.diff import taskdef_diff

    def doc(password: str, token: str | None = None) -> dict[str, Any]:
        env = [{"name": "DB_PASSWORD", "value": password}, {"name": "PORT", "value": "80"}]
        if token:
            env.append({"name": "API_TOKEN", "value": token})
        return {"containerDefinitions": [{"name": "web", "image": "a:1", "environment": env}]}

    text = taskdef_diff(doc("hunter2"), doc("s3cret-new", token="tok-123"), "web:1", "web:(next)")
    assert "hunter2" not in text and "s3cret-new" not in text and "tok-123" not in text
    assert '+          "value": "**** (changed)"' in text
    assert "API_TOKEN" in text
    shown = taskdef_diff(doc("hunter2"), doc("s3cret-new"), "web:1", "web:(next)", show_secrets=True)
    assert "s3cret-new" in shown
    assert taskdef_diff(doc("same"), doc("same"), "a", "b") == ""
