"""Shape conformance: the emulator's raw JSON, route by route, against the SDK's own dataclasses.

test_sdk.py shows the SDK *works* against the emulator, but the SDK's `from_dict` silently
drops keys it does not know and turns unknown enum values into None. So an invented field or
enum value in the emulator would pass there, and Brickdesk (which parses the same JSON in
Rust) would be tested against a wire format no workspace sends. Here every answer goes through
`Class.from_dict(raw).as_dict()`, and every key path of the raw JSON must come back unchanged.

ROUTES lists every route Brickdesk's core calls; `test_routes_cover_the_core` fails when the
core's sources name a REST path that is not in it.
"""

import time
import urllib.parse

import pytest
import requests
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import PermissionDenied
from databricks.sdk.oauth import HostMetadata, OidcEndpoints, retrieve_token
from databricks.sdk.service import catalog, dashboards, sql
from shapes import (
    STARTER,
    REPORTING,
    TAXI,
    EXERCISED,
    ROUTES,
    Api,
    conforms,
    sign_in,
    token_request,
    bot_token,
)


@pytest.fixture(scope="session")
def alice(emulator_url):
    return Api(emulator_url, sign_in(emulator_url)["access_token"])


@pytest.fixture(scope="session")
def eastern(eastern_url):
    """alice on the second workspace (America/New_York, slow enough to see work in progress)."""
    return Api(eastern_url, sign_in(eastern_url)["access_token"])


def test_the_comparison_itself():
    """The checks below are only as strict as this: it must see a dropped key, an unknown enum
    value and a changed value, and forgive what the SDK rewrites legitimately."""
    forgiven = {
        "statement_id": "s",
        "status": {"state": "SUCCEEDED", "error": None},
        "manifest": {"total_row_count": "3", "chunks": []},  # int64 as a string; an empty list
    }
    conforms(sql.StatementResponse, forgiven, "lenient")
    space = {"space_id": "s", "title": "t", "create_time": "2025-06-02T09:00:00.000+00:00"}
    conforms(dashboards.GenieSpace, space, "instant")  # the SDK renders it 2025-06-02T09:00:00Z
    invented = {"statement_id": "s", "invented": 1, "status": {"state": "DONE"}}
    with pytest.raises(AssertionError) as caught:
        conforms(sql.StatementResponse, invented, "strict")
    assert "$.invented: dropped" in str(caught.value) and "$.status.state: dropped" in str(caught.value)
    with pytest.raises(AssertionError, match=r"\$.cloud: 'aws' became 'AWS'"):
        conforms(HostMetadata, {"oidc_endpoint": "https://h/oidc", "cloud": "aws"}, "changed")


# --- discovery and OAuth -------------------------------------------------------------------


def test_host_metadata(emulator_url):
    EXERCISED.add("host_metadata")
    raw = requests.get(f"{emulator_url}/.well-known/databricks-config", timeout=30).json()
    parsed = conforms(HostMetadata, raw, "GET /.well-known/databricks-config")
    assert parsed.oidc_endpoint == f"{emulator_url}/oidc"


def test_oidc_metadata_has_both_endpoints_https_or_loopback(emulator_url):
    """RFC 8414 allows any other keys, so only the two OidcEndpoints reads are checked."""
    EXERCISED.add("oidc_metadata")
    raw = requests.get(f"{emulator_url}/oidc/.well-known/oauth-authorization-server", timeout=30).json()
    endpoints = OidcEndpoints.from_dict(raw)
    for url in (endpoints.authorization_endpoint, endpoints.token_endpoint):
        parts = urllib.parse.urlsplit(url or "")
        loopback = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
        assert parts.scheme == "https" or loopback, url


def assert_token_keys(raw, scope, refresh):
    """The keys databricks/sdk/oauth.py retrieve_token reads, with the types it needs."""
    assert isinstance(raw["access_token"], str) and raw["access_token"]
    assert raw["token_type"] == "Bearer"
    assert int(raw["expires_in"]) > 0
    assert raw["scope"] == scope
    assert ("refresh_token" in raw) is refresh


def test_token_client_credentials_parsed_by_the_sdk(emulator_url):
    assert_token_keys(bot_token(emulator_url), "all-apis", refresh=False)
    token = retrieve_token(
        "kpi-bot", "kpi-bot-secret", f"{emulator_url}/oidc/v1/token",
        {"grant_type": "client_credentials", "scope": "all-apis"}, use_header=True,
    )
    assert token.access_token and token.token_type == "Bearer" and token.expiry
    assert token.refresh_token is None


def test_token_code_refresh_and_a_refused_refresh_token(eastern_url):
    """On the second workspace: revoking refresh tokens there disturbs no other test."""
    signed_in = sign_in(eastern_url)
    assert_token_keys(signed_in, "all-apis offline_access", refresh=True)
    refresh = dict(grant_type="refresh_token", client_id="brickdesk")
    refreshed = token_request(eastern_url, refresh_token=signed_in["refresh_token"], **refresh)
    assert refreshed.status_code == 200, refreshed.text
    assert_token_keys(refreshed.json(), "all-apis offline_access", refresh=True)

    requests.post(f"{eastern_url}/__emulator/tokens/revoke-refresh", timeout=30).raise_for_status()
    refused = token_request(eastern_url, refresh_token=refreshed.json()["refresh_token"], **refresh)
    assert refused.status_code == 400 and refused.headers["Content-Type"].startswith("application/json")
    assert set(refused.json()) == {"error", "error_description"}
    assert refused.json()["error_description"] == "Refresh token is invalid"
    with pytest.raises(ValueError, match="Refresh token is invalid"):
        retrieve_token("brickdesk", None, f"{eastern_url}/oidc/v1/token",
                       dict(refresh, refresh_token=refreshed.json()["refresh_token"]), use_params=True)


def test_scope_refusal_becomes_permission_denied(emulator_url):
    """A token without the genie scope: the exact 403 body, and the SDK's own error mapping."""
    token = sign_in(emulator_url, client_id="brickdesk-sql", scope="sql offline_access")["access_token"]
    message = "Provided OAuth token does not have required scopes: genie"
    raw = Api(emulator_url, token).raw("spaces", status=403)
    assert raw == {"error_code": 403, "message": message}
    client = WorkspaceClient(host=emulator_url, token=token, auth_type="pat")
    with pytest.raises(PermissionDenied) as refused:
        client.genie.list_spaces()
    # The SDK appends its config to the message (". Config: host=..."), after the server's text.
    assert str(refused.value).split(". Config: ")[0] == message


# --- SCIM, warehouses, Unity Catalog -------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "kpi-bot"])
def test_scim_me(who, alice, emulator_url):
    api = alice if who == "alice" else Api(emulator_url, bot_token(emulator_url)["access_token"])
    assert api.check("me").user_name == ("alice@example.com" if who == "alice" else "kpi-bot")


def test_warehouses_list_and_get(alice):
    listed = alice.check("warehouses")
    assert STARTER in {w.id for w in listed.warehouses}
    assert alice.check("warehouse", id=STARTER).state == sql.State.RUNNING


def test_warehouse_start_and_starting(eastern):
    eastern.check("warehouse_start", id=REPORTING)
    assert eastern.check("warehouse", id=REPORTING).state == sql.State.STARTING


def test_catalogs_and_schemas(alice):
    assert "samples" in {c.name for c in alice.check("catalogs", query={"max_results": 0}).catalogs}
    schemas = alice.check("schemas", query={"catalog_name": "samples", "max_results": 0}).schemas
    assert "nyctaxi" in {s.name for s in schemas}


def test_tables_and_columns(alice):
    listed = alice.check(
        "tables", query={"catalog_name": "samples", "schema_name": "nyctaxi", "max_results": 0, "omit_columns": "true"}
    ).tables
    assert [t.full_name for t in listed] == ["samples.nyctaxi.trips"]
    assert listed[0].table_type == catalog.TableType.MANAGED and not listed[0].columns
    trips = alice.check("table", full_name="samples.nyctaxi.trips")
    columns = {c.name: c for c in trips.columns}
    assert columns["fare_amount"].type_name == catalog.ColumnTypeName.DOUBLE
    assert columns["tpep_pickup_datetime"].type_name == catalog.ColumnTypeName.TIMESTAMP
    assert columns["pickup_zip"].comment


# --- Statement Execution -------------------------------------------------------------------

TYPED = (
    "SELECT tpep_pickup_datetime, CAST(tpep_pickup_datetime AS DATE) AS pickup_date, "
    "CAST(fare_amount AS DECIMAL(10,2)) AS fare, CAST(pickup_zip AS STRING) AS zip, "
    "CAST(trip_distance * 100 AS BIGINT) AS hundredths FROM samples.nyctaxi.trips LIMIT 5"
)


def execute(api, statement, **options):
    body = dict(warehouse_id=STARTER, statement=statement, wait_timeout="30s") | options
    return api.check("execute", body=body)


@pytest.mark.parametrize("workspace", ["alice", "eastern"])
def test_inline_json_with_typed_columns(workspace, request):
    """TIMESTAMP, DATE, DECIMAL, STRING and BIGINT; `eastern` has a zoned TIMESTAMP."""
    api = request.getfixturevalue(workspace)
    response = execute(api, TYPED)
    assert response.status.state == sql.StatementState.SUCCEEDED
    # The session time zone shows in the rendered instant: 00:02:28 UTC is 19:02:28 in New York.
    zoned = {"alice": "2016-01-01T00:02:28.000Z", "eastern": "2015-12-31T19:02:28.000-05:00"}
    assert response.result.data_array[0][0] == zoned[workspace]
    types = [c.type_name for c in response.manifest.schema.columns]
    T = sql.ColumnInfoTypeName
    assert types == [T.TIMESTAMP, T.DATE, T.DECIMAL, T.STRING, T.LONG]
    assert api.check("statement", id=response.statement_id).status.state == sql.StatementState.SUCCEEDED
    assert api.check("chunk", id=response.statement_id, n=0).data_array == response.result.data_array


def test_inline_json_second_chunk(alice):
    response = execute(alice, "SELECT id FROM range(260000)")
    assert response.result.next_chunk_index == 1
    assert alice.check("chunk", id=response.statement_id, n=1).row_offset == 250000


@pytest.mark.parametrize("format", [sql.Format.ARROW_STREAM, sql.Format.JSON_ARRAY])
def test_external_links(format, alice):
    response = execute(alice, "SELECT id, id * 2 AS twice FROM range(600000)",
                       disposition="EXTERNAL_LINKS", format=format.value)
    assert response.manifest.format == format and response.manifest.total_chunk_count == 3
    assert response.result.external_links[0].next_chunk_index == 1
    chunk = alice.check("chunk", id=response.statement_id, n=1)
    assert chunk.external_links[0].chunk_index == 1


def test_failed_statement(alice):
    response = execute(alice, "SELECT * FROM samples.nyctaxi.no_such_table")
    assert response.status.state == sql.StatementState.FAILED
    assert "TABLE_OR_VIEW_NOT_FOUND" in response.status.error.message


def test_pending_statement_then_cancel(eastern):
    response = execute(eastern, "SELECT count(*) FROM samples.tpch.orders", wait_timeout="0s")
    waiting = (sql.StatementState.PENDING, sql.StatementState.RUNNING)
    assert response.status.state in waiting
    assert eastern.check("statement", id=response.statement_id).status.state in waiting
    eastern.check("cancel", id=response.statement_id)
    assert eastern.check("statement", id=response.statement_id).status.state == sql.StatementState.CANCELED


# --- Genie ---------------------------------------------------------------------------------

Status = dashboards.MessageStatus
DONE = {Status.COMPLETED, Status.FAILED, Status.CANCELLED}


def answer(api, message, conversation):
    """Polls a message to its end, checking every snapshot; returns (snapshots' statuses, last)."""
    seen = []
    deadline = time.time() + 60
    while True:
        snapshot = api.check("message", space=TAXI, conversation=conversation, message=message)
        seen.append(snapshot.status)
        if snapshot.status in DONE or time.time() > deadline:
            return seen, snapshot
        time.sleep(0.1)


def ask(api, question):
    started = api.check("start_conversation", space=TAXI, body={"content": question})
    return started, answer(api, started.message_id, started.conversation_id)[1]


def texts(message):
    return [a.text.purpose for a in message.attachments if a.text is not None]


def test_genie_spaces(alice):
    assert TAXI in {s.space_id for s in alice.check("spaces").spaces}
    assert alice.check("space", space=TAXI).title == "NYC Taxi Trips"
    assert alice.check("space", space=TAXI, query={"include_serialized_space": "true"}).serialized_space


def test_genie_answer_results_follow_up_feedback_history_and_delete(alice):
    started, done = ask(alice, "How many trips were there recently?")
    assert done.status == Status.COMPLETED
    P = dashboards.TextAttachmentPurpose
    assert texts(done) == [P.TEXT_ATTACHMENT_PURPOSE_ANSWER, P.FOLLOW_UP_QUESTION]
    conversation = dict(space=TAXI, conversation=started.conversation_id)
    message = dict(conversation, message=done.message_id)
    query = next(a for a in done.attachments if a.query is not None)
    result = alice.check("query_result", attachment=query.attachment_id, **message)
    assert result.statement_response.status.state == sql.StatementState.SUCCEEDED
    rerun = alice.check("execute_query", attachment=query.attachment_id, body={}, **message)
    assert rerun.statement_response.statement_id
    # The full result: a download, polled with its signature until its statement is done.
    attachment = dict(message, attachment=query.attachment_id)
    download = alice.check("download", body={}, **attachment)
    assert download.download_id and download.download_id_signature
    signature = {"download_id_signature": download.download_id_signature}
    deadline = time.time() + 30
    while True:
        polled = alice.check("download_poll", download=download.download_id, query=signature, **attachment)
        state = polled.statement_response.status.state
        if state not in (sql.StatementState.PENDING, sql.StatementState.RUNNING) or time.time() > deadline:
            break
        time.sleep(0.1)
    assert state == sql.StatementState.SUCCEEDED
    assert polled.statement_response.manifest.total_row_count == 1
    assert polled.statement_response.result.external_links
    alice.raw("download_poll", download=download.download_id, query={"download_id_signature": "x.y.z"}, status=403, **attachment)
    alice.check("feedback", body={"rating": "POSITIVE"}, **message)

    follow_up = alice.check("create_message", body={"content": "now by month"}, **conversation)
    assert answer(alice, follow_up.message_id, started.conversation_id)[1].status == Status.COMPLETED
    listed = alice.check("conversations", space=TAXI, query={"page_size": 100}).conversations
    assert started.conversation_id in {c.conversation_id for c in listed}
    assert len(alice.check("messages", query={"page_size": 100}, **conversation).messages) == 2
    alice.check("delete_conversation", **conversation)


def test_genie_draws_its_own_chart_when_asked(alice):
    started = alice.check(
        "start_conversation", space=TAXI, body={"content": "What is the average fare by day?", "enable_visualization": True}
    )
    done = answer(alice, started.message_id, started.conversation_id)[1]
    viz = next(a for a in done.attachments if a.viz is not None)
    ids = dict(space=TAXI, conversation=started.conversation_id, message=done.message_id, attachment=viz.attachment_id)
    EXERCISED.add("visualization")
    route = ROUTES["visualization"]
    response = alice.session.get(alice.base + route.path.format(**ids), headers={"Accept": "application/octet-stream"}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_genie_clarifying_answer(alice):
    _, done = ask(alice, "Show me the weather")
    assert done.status == Status.COMPLETED
    assert texts(done) == [dashboards.TextAttachmentPurpose.FOLLOW_UP_QUESTION]
    assert all(a.query is None for a in done.attachments)


def test_genie_failed_message(alice):
    fault = {"kind": "genie_message_failure", "error_type": "SQL_EXECUTION_EXCEPTION"}
    rule = {"path": "/api/2.0/genie/spaces/*/start-conversation", "fault": fault, "count": 1}
    requests.post(f"{alice.base}/__emulator/faults", json=rule, timeout=30).raise_for_status()
    _, done = ask(alice, "How many trips were there?")
    assert done.status == Status.FAILED
    assert done.error.type == dashboards.MessageErrorType.SQL_EXECUTION_EXCEPTION


def test_genie_in_progress_snapshots(eastern):
    started = eastern.check("start_conversation", space=TAXI, body={"content": "How many trips were there?"})
    assert started.message.status == Status.SUBMITTED
    seen, done = answer(eastern, started.message_id, started.conversation_id)
    assert done.status == Status.COMPLETED
    assert len(set(seen) - DONE) >= 2, seen
