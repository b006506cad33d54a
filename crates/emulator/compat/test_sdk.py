"""The official Databricks SDK for Python, unmodified, against the emulator.

If the SDK works here, the emulator speaks the real wire format: discovery, OAuth (U2M
through the external-browser flow, and M2M), SCIM, warehouses, Statement Execution and Genie.
"""

import time

import pyarrow.ipc
import pytest
import requests
from databricks.sdk import WorkspaceClient
from databricks.sdk.service.dashboards import GenieFeedbackRating, MessageStatus
from databricks.sdk.service.sql import (
    Disposition,
    Format,
    StatementParameterListItem,
    StatementState,
)

STARTER = "a1b2c3d4e5f60718"
REPORTING = "5f6e7d8c9b0a1234"


@pytest.fixture
def alice(emulator_url):
    """Signed in as alice through the SDK's own external-browser (U2M) flow."""
    return WorkspaceClient(host=emulator_url, auth_type="external-browser")


def test_u2m_external_browser_sign_in_and_current_user(alice):
    me = alice.current_user.me()
    assert me.user_name == "alice@example.com"
    assert me.display_name == "Alice Analyst"


def test_m2m_client_credentials_as_the_kpi_bot(emulator_url):
    bot = WorkspaceClient(
        host=emulator_url, client_id="kpi-bot", client_secret="kpi-bot-secret", auth_type="oauth-m2m"
    )
    assert bot.current_user.me().user_name == "kpi-bot"
    assert {w.id for w in bot.warehouses.list()} >= {STARTER, REPORTING}


def test_warehouses_list_get_and_start(alice):
    listed = {w.id: w for w in alice.warehouses.list()}
    assert listed[STARTER].state.value == "RUNNING"
    got = alice.warehouses.get(REPORTING)
    assert got.name == "Reporting Warehouse"
    alice.warehouses.start_and_wait(REPORTING)
    assert alice.warehouses.get(REPORTING).state.value == "RUNNING"


def test_inline_json_with_a_typed_date_parameter(alice):
    response = alice.statement_execution.execute_statement(
        statement="SELECT pickup_zip, count(*) AS trips FROM samples.nyctaxi.trips "
        "WHERE tpep_pickup_datetime >= :date GROUP BY pickup_zip ORDER BY trips DESC",
        warehouse_id=STARTER,
        parameters=[StatementParameterListItem(name="date", value="2016-02-01", type="DATE")],
        wait_timeout="30s",
    )
    assert response.status.state == StatementState.SUCCEEDED
    columns = [c.name for c in response.manifest.schema.columns]
    assert columns == ["pickup_zip", "trips"]
    rows = response.result.data_array
    assert len(rows) > 10 and all(isinstance(cell, str) for cell in rows[0])
    assert int(rows[0][1]) >= int(rows[-1][1])


def test_row_limit_truncates(alice):
    response = alice.statement_execution.execute_statement(
        statement="SELECT * FROM samples.nyctaxi.trips", warehouse_id=STARTER, row_limit=10, wait_timeout="30s"
    )
    assert response.manifest.truncated is True
    assert response.manifest.total_row_count == 10
    assert len(response.result.data_array) == 10


def test_async_execution_with_wait_timeout_zero(alice):
    response = alice.statement_execution.execute_statement(
        statement="SELECT count(*) FROM samples.tpch.orders", warehouse_id=STARTER, wait_timeout="0s"
    )
    assert response.status.state in (StatementState.PENDING, StatementState.RUNNING, StatementState.SUCCEEDED)
    deadline = time.time() + 30
    while response.status.state in (StatementState.PENDING, StatementState.RUNNING) and time.time() < deadline:
        time.sleep(0.1)
        response = alice.statement_execution.get_statement(response.statement_id)
    assert response.status.state == StatementState.SUCCEEDED
    assert response.result.data_array == [["15000"]]


def test_external_links_arrow_stream_every_chunk(alice):
    response = alice.statement_execution.execute_statement(
        statement="SELECT id, id * 2 AS a, id * 3 AS b, id % 7 AS c, id + 1 AS d, id - 1 AS e FROM range(1000000)",
        warehouse_id=STARTER,
        disposition=Disposition.EXTERNAL_LINKS,
        format=Format.ARROW_STREAM,
        wait_timeout="50s",
    )
    assert response.status.state == StatementState.SUCCEEDED
    manifest = response.manifest
    assert manifest.total_chunk_count == 4 and manifest.total_row_count == 1_000_000
    rows, expected_next = 0, 0
    links = response.result.external_links
    while links:
        link = links[0]
        assert link.chunk_index == expected_next
        body = requests.get(link.external_link, headers=link.http_headers or {}, timeout=60)
        assert body.status_code == 200
        table = pyarrow.ipc.open_stream(body.content).read_all()
        assert table.column("id")[0].as_py() == link.row_offset
        rows += table.num_rows
        expected_next += 1
        if link.next_chunk_index is None:
            break
        links = alice.statement_execution.get_statement_result_chunk_n(
            response.statement_id, link.next_chunk_index
        ).external_links
    assert rows == 1_000_000 and expected_next == 4


def test_a_failed_statement_carries_the_sql_error(alice):
    response = alice.statement_execution.execute_statement(
        statement="SELECT * FROM samples.nyctaxi.no_such_table", warehouse_id=STARTER, wait_timeout="30s"
    )
    assert response.status.state == StatementState.FAILED
    assert "TABLE_OR_VIEW_NOT_FOUND" in response.status.error.message


TAXI_SPACE = "01f0c0ffee0000000000000000000001"


def test_genie_spaces_conversation_follow_up_and_query_result(alice):
    spaces = {s.space_id: s for s in alice.genie.list_spaces().spaces}
    assert spaces[TAXI_SPACE].title == "NYC Taxi Trips"

    answer = alice.genie.start_conversation_and_wait(TAXI_SPACE, "How many trips were there?")
    assert answer.status == MessageStatus.COMPLETED
    query = next(a for a in answer.attachments if a.query is not None)
    text = next(a for a in answer.attachments if a.text is not None)
    assert "21,932" in text.text.content
    assert "COUNT(*)" in query.query.query
    result = alice.genie.get_message_attachment_query_result(
        TAXI_SPACE, answer.conversation_id, answer.message_id, query.attachment_id
    )
    assert result.statement_response.status.state == StatementState.SUCCEEDED
    assert result.statement_response.result.data_array == [["21932"]]

    follow_up = alice.genie.create_message_and_wait(TAXI_SPACE, answer.conversation_id, "now by month")
    assert follow_up.status == MessageStatus.COMPLETED
    query = next(a for a in follow_up.attachments if a.query is not None)
    assert query.query.query_result_metadata.row_count == 2
    suggestions = next(a for a in follow_up.attachments if a.suggested_questions is not None)
    assert suggestions.suggested_questions.questions

    alice.genie.send_message_feedback(
        TAXI_SPACE, answer.conversation_id, follow_up.message_id, GenieFeedbackRating.POSITIVE
    )
    rated = alice.genie.get_message(TAXI_SPACE, answer.conversation_id, follow_up.message_id)
    assert rated.feedback.rating == GenieFeedbackRating.POSITIVE
    history = alice.genie.list_conversations(TAXI_SPACE).conversations
    assert answer.conversation_id in {c.conversation_id for c in history}
