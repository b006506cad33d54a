"""Genie Agents, Agent mode and Genie One: the emulator's answers against what databricks-sdk-py
0.162 knows of them (`genieagents.ListGenieAgentsResponse`, and the `GenieMessage` that
`GenieAPI.genie_cancel_response` returns), and, where the SDK has no class (the Beta streams,
Genie One), against the API reference's event names, order and numbering.

Runs before test_shapes_coverage.py (file order), which checks every route was called.
"""

import json
import threading
import time

import pytest
import requests
from databricks.sdk.service import dashboards
from shapes import EXERCISED, ROUTES, TAXI, Api, sign_in

SALES = "01f0c0ffee0000000000000000000002"


@pytest.fixture(scope="module")
def alice(emulator_url):
    return Api(emulator_url, sign_in(emulator_url)["access_token"])


def stream(api, name, body, on_created=None, **ids):
    """POSTs to a streaming route and reads its Server-Sent Events to the end."""
    route = ROUTES[name]
    EXERCISED.add(name)
    response = api.session.post(
        api.base + route.path.format(**ids), json=body, headers={"Accept": "text/event-stream"}, stream=True, timeout=60
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/event-stream"
    events, kind = [], None
    for line in response.iter_lines(decode_unicode=True):
        if line.startswith("event:"):
            kind = line[len("event:") :]
        elif line.startswith("data:"):
            event = json.loads(line[len("data:") :])
            assert event["type"] == kind, "the event: line names the JSON type"
            events.append(event)
            if on_created and event["type"] == "response.created":
                on_created(event["response"])
    numbers = [e["sequence_number"] for e in events]
    assert numbers == list(range(len(events))), "sequence_number from 0, one by one"
    assert events[0]["type"] == "response.created"
    assert events[0]["response"]["status"] == "in_progress" and events[0]["response"]["output"] == []
    return events


def agent_input(question):
    return {"input": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": question}]}]}


def test_the_genie_agents_list_is_the_sdks(alice):
    basic = alice.check("genie_agents")
    assert {a.name for a in basic.genie_agents} == {f"agents/{TAXI}", f"agents/{SALES}"}
    assert all(a.definition is None for a in basic.genie_agents)
    full = alice.check("genie_agents", query={"view": "GENIE_AGENT_VIEW_FULL", "page_size": 1})
    (taxi,) = full.genie_agents
    assert taxi.definition.config.sample_questions[0].question == "How many trips were there?"
    assert taxi.definition.data_sources.tables[0].identifier == "samples.nyctaxi.trips"
    assert full.next_page_token
    # One agent by name, as a client reads an agent the list named `unreachable`.
    one = alice.check("genie_agent", query={"view": "GENIE_AGENT_VIEW_FULL"}, agent=SALES)
    assert one.name == f"agents/{SALES}"
    assert one.definition.config.sample_questions


def test_an_agent_mode_report_streams_in_the_documented_order(alice):
    events = stream(alice, "agent_mode_responses", agent_input("How has revenue developed?"), agent=SALES)
    kinds = [e["type"] for e in events]
    assert kinds[-1] == "response.completed"
    assert set(kinds) <= {
        "response.created",
        "response.output_item.added",
        "response.output_item.updated",
        "response.output_item.done",
        "response.completed",
    }
    output = events[-1]["response"]["output"]
    assert {i["type"] for i in output} == {"reasoning", "function_call", "function_call_output", "message"}
    for call in (i for i in output if i["type"] == "function_call"):
        assert call["name"] == "execute_sql" and json.loads(call["arguments"])["sql"]
        assert any(i["id"] == f"{call['call_id']}_output" for i in output)
    created = events[0]["response"]
    items = alice.raw("agent_mode_items", agent=SALES, conversation=created["conversation_id"])
    assert items["data"][0]["id"] == f"{created['id']}_input"
    assert items["data"][1:] == output


def test_agent_mode_cancel_answers_with_the_sdks_genie_message(emulator_url):
    # A slow agent (its own sign-in) so the cancel lands mid-research.
    api = Api(emulator_url, sign_in(emulator_url)["access_token"])
    created = {}
    seen = threading.Event()

    def remember(response):
        created.update(response)
        seen.set()

    reader = threading.Thread(
        target=lambda: created.setdefault(
            "events", stream(api, "agent_mode_responses", agent_input("How did the average fare change?"), remember, agent=TAXI)
        )
    )
    reader.start()
    assert seen.wait(30)
    message = api.check(
        "agent_mode_cancel", body={}, agent=TAXI, conversation=created["conversation_id"], response=created["id"]
    )
    assert message.status in (dashboards.MessageStatus.CANCELLED, dashboards.MessageStatus.COMPLETED)
    reader.join(60)
    last = created["events"][-1]
    assert last["type"] in ("response.failed", "response.completed")


def test_genie_one_answers_and_reads_back(alice):
    events = stream(alice, "one_responses", {"input": "What is the revenue by region?"})
    created = events[0]["response"]
    assert created["model"] == "genie-one"
    final = events[-1]
    assert final["type"] == "response.completed"
    answer = next(i for i in final["response"]["output"] if i.get("phase") == "final_answer")
    (annotation, *_) = answer["content"][0]["annotations"]
    assert annotation["type"] == "asset" and annotation["asset_type"] == "TABLE"
    stored = alice.raw("one_response", conversation=created["conversation_id"], response=created["id"])
    assert stored["status"] == "completed" and stored["output"] == final["response"]["output"]
    listed = alice.raw("one_conversations", query={"page_size": 1})
    assert listed["conversations"][0]["conversation_id"] == created["conversation_id"]
    refused = alice.session.post(alice.base + ROUTES["one_responses"].path, json={"input": "x", "stream": True}, timeout=30)
    assert refused.status_code == 400 and refused.json()["error_code"] == "INVALID_PARAMETER_VALUE"
