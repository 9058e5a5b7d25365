"""Every view, text and JSON, of model objects built from AWS answers full of control sequences.

The answers carry a random mix of printable text and escape sequences in every string field; the
converters (the boundary) build the model, and each renderer of `ecsshell.render` draws it. No
escape code may come out but ecsshell's own colours, and the printable text of the data must.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_plain import SEQUENCE

from ecsshell.aws import convert
from ecsshell.render import diff, jsonout, taskdef, views
from ecsshell.render.text import to_text
from ecsshell.render.views import deployments as deployment_views
from ecsshell.render.views import logs as log_views

SGR = re.compile(r"\x1b\[[0-9;]*m")
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
WORD = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789"), min_size=1, max_size=6)


@st.composite
def hostile_word(draw: st.DrawFn) -> tuple[str, str]:
    """Return (data, its printable text): letters with control sequences between them."""
    parts = draw(st.lists(st.tuples(WORD, SEQUENCE), min_size=1, max_size=4))
    tail = draw(WORD)
    return "".join(w + s for w, s in parts) + tail, "".join(w for w, _ in parts) + tail


def _answers(h: str) -> dict[str, Any]:
    """Return AWS answers (as botocore parses them) with H in every free string field."""
    cluster_arn = f"arn:aws:ecs:us-east-1:123456789012:cluster/{h}"
    td_arn = f"arn:aws:ecs:us-east-1:123456789012:task-definition/{h}:1"
    container = {"name": h, "image": f"{h}:1", "command": [h, f"--flag={h}"], "entryPoint": [h],
                 "environment": [{"name": h, "value": h}, {"name": "PLAIN", "value": h}],
                 "secrets": [{"name": h, "valueFrom": h}], "portMappings": [{"containerPort": 80, "protocol": h}],
                 "logConfiguration": {"logDriver": h, "options": {h: h, "awslogs-group": h}},
                 "healthCheck": {"command": ["CMD-SHELL", h]}, "dockerLabels": {h: h}}
    return {
        "cluster": {"clusterArn": cluster_arn, "clusterName": h, "status": h, "runningTasksCount": 1},
        "service": {"serviceArn": f"arn:aws:ecs:us-east-1:123456789012:service/{h}/{h}", "serviceName": h,
                    "clusterArn": cluster_arn, "status": h, "desiredCount": 1, "runningCount": 1,
                    "taskDefinition": td_arn, "launchType": h, "createdAt": WHEN,
                    "deployments": [{"id": h, "status": h, "taskDefinition": td_arn, "rolloutState": h,
                                     "rolloutStateReason": h, "createdAt": WHEN, "updatedAt": WHEN}],
                    "events": [{"id": h, "createdAt": WHEN, "message": h}],
                    "loadBalancers": [{"targetGroupArn": f"arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/{h}/1",
                                       "containerName": h, "containerPort": 80}],
                    "networkConfiguration": {"awsvpcConfiguration": {"subnets": [h], "securityGroups": [h]}},
                    "deploymentController": {"type": h}},
        "task": {"taskArn": f"arn:aws:ecs:us-east-1:123456789012:task/{h}/{h}", "taskDefinitionArn": td_arn,
                 "lastStatus": h, "desiredStatus": h, "healthStatus": h, "group": f"service:{h}",
                 "launchType": h, "startedAt": WHEN, "stoppedAt": WHEN, "stoppedReason": h, "stopCode": h,
                 "containers": [{"name": h, "lastStatus": h, "exitCode": 1, "reason": h, "healthStatus": h,
                                 "image": h, "imageDigest": h}]},
        "task_definition": {"taskDefinition": {"taskDefinitionArn": td_arn, "family": h, "revision": 1,
                                               "status": h, "containerDefinitions": [container],
                                               "networkMode": h, "cpu": h, "memory": h,
                                               "taskRoleArn": h, "requiresCompatibilities": [h]},
                            "tags": [{"key": h, "value": h}]},
        "failure": {"arn": h, "reason": h, "detail": h},
        "log": {"logStreamName": f"{h}/{h}/{h}", "timestamp": 1_700_000_000_000, "message": h, "eventId": h},
        "deployment": {"serviceDeploymentArn": f"arn:aws:ecs:us-east-1:1:service-deployment/{h}/{h}/{h}",
                       "serviceArn": h, "clusterArn": h, "status": h, "statusReason": h, "lifecycleStage": h,
                       "targetServiceRevision": {"arn": h, "requestedTaskCount": 1},
                       "rollback": {"reason": h, "startedAt": WHEN, "serviceRevisionArn": h},
                       "lifecycleHookDetails": [{"hookId": h, "targetType": h, "status": h, "targetArn": h}],
                       "createdAt": WHEN},
        "revision": {"serviceRevisionArn": h, "serviceArn": h, "clusterArn": h, "taskDefinition": td_arn,
                     "containerImages": [{"containerName": h, "image": h, "imageDigest": h}]},
        "target": {"Target": {"Id": h, "Port": 80}, "TargetHealth": {"State": h, "Reason": h, "Description": h}},
    }


def label(arn: str | None) -> str:
    return str(arn)


def _renderings(h: str) -> list[tuple[str, Any]]:
    """Return (name, renderable or document) for every renderer, of the model converted from H's answers."""
    a = _answers(h)
    cluster = convert.cluster(a["cluster"])
    service = convert.service(a["service"])
    task = convert.task(a["task"])
    td = convert.task_definition(a["task_definition"])
    failure = convert.run_failure(a["failure"])
    event = convert.log_event(a["log"])
    deployment = convert.service_deployment(a["deployment"])
    revision = convert.service_revision(a["revision"])
    health = convert.target_health(a["target"])
    defs = {service.task_definition_arn: td}
    out: list[tuple[str, Any]] = [
        ("clusters_table", views.clusters_table([cluster])),
        ("services_table", views.services_table(cluster.name, [service], defs, total=1)),
        ("service_detail", views.service_detail(service, td, [task], verbose=True, events=5, show_secrets=True)),
        ("service_detail masked", views.service_detail(service, td, [task], verbose=True, events=5,
                                                       show_secrets=False)),
        ("events_view", views.events_view(service, 5)),
        ("tasks_table", views.tasks_table([task])),
        ("task_list", views.task_list(cluster.name, [task], stopped=True)),
        ("task_detail", views.task_detail(cluster.name, task)),
        ("run_result", views.run_result([task], [failure])),
        ("task_definition_view", views.task_definition_view(td, verbose=True, show_secrets=True)),
        ("history_table", deployment_views.history_table(service.name, [deployment], label)),
        ("deployment_detail", deployment_views.deployment_detail(deployment, label, {revision.arn: revision})),
        ("images_table", deployment_views.images_table([revision])),
        ("log_line", log_views.log_line(event, 10)),
        ("task_definition_json", taskdef.highlighted(taskdef.task_definition_json(td), color=True)),
        ("taskdef_diff", diff.diff_renderable(diff.taskdef_diff({}, td.raw, "a", "b", show_secrets=True), True)),
        ("taskdef_diff masked", diff.diff_renderable(diff.taskdef_diff({}, td.raw, "a", "b"), True)),
        ("why_report", views.why_report(failure.reason, [(task.stopped_reason or "", event.message)],
                                         [deployment.status_reason or ""])),
    ]
    documents: list[tuple[str, Any]] = [
        ("service_document", jsonout.service_document(service, td, [task], True, events=5)),
        ("raw_task_definition_document", jsonout.raw_task_definition_document(td, True)),
        ("task_definition_document", jsonout.task_definition_document(td, True)),
        ("log_document", log_views.log_document(event)),
        ("model", jsonout.to_jsonable([cluster, service, task, failure, event, deployment, revision, health])),
    ]
    return out + [(name, jsonout.dumps(doc)) for name, doc in documents]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(word=hostile_word())
def test_no_escape_from_the_data_reaches_any_view(word: tuple[str, str]) -> None:
    data, shown = word
    for name, rendering in _renderings(data):
        texts = [rendering] if isinstance(rendering, str) else [
            to_text(rendering, width=width, color=color) for width, color in ((None, True), (60, False))]
        for text in texts:
            unstyled = SGR.sub("", text)  # ecsshell's own colours
            assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", unstyled), (name, text)
            assert "\\u001b" not in text and "\\u009b" not in text, (name, text)  # nor escaped in JSON
        assert shown in SGR.sub("", texts[0]), (name, shown, texts[0])
