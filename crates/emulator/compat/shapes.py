"""What the shape-conformance tests share: the ROUTES table (every route Brickdesk's core
calls, with the SDK class its answer must survive), the comparison that judges the emulator's
raw JSON by the SDK's own dataclasses, and plain-HTTP callers. See test_shapes.py.
"""

import base64
import hashlib
import secrets
import urllib.parse
from dataclasses import dataclass
from datetime import datetime

import requests
from databricks.sdk.oauth import HostMetadata
from databricks.sdk.service import catalog, dashboards, genieagents, iam, sql

STARTER = "a1b2c3d4e5f60718"
REPORTING = "5f6e7d8c9b0a1234"
TAXI = "01f0c0ffee0000000000000000000001"
REDIRECT = "http://127.0.0.1:8765/oauth/callback"
EMPTY = "{} (no body)"


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {name} stands for an id the test fills in
    shape: object  # the SDK class the answer must survive, or what is checked instead


_MESSAGES = "/api/2.0/genie/spaces/{space}/conversations/{conversation}/messages"
_ATTACHMENT = _MESSAGES + "/{message}/attachments/{attachment}"
_QUERY_RESULT = dashboards.GenieGetMessageQueryResultResponse
_AGENT = "/api/2.0/genie/agents/{agent}/conversations/{conversation}"

ROUTES = {
    "host_metadata": Route("GET", "/.well-known/databricks-config", HostMetadata),
    "oidc_metadata": Route(
        "GET", "/oidc/.well-known/oauth-authorization-server", "OidcEndpoints: its two fields"
    ),
    "authorize": Route("GET", "/oidc/v1/authorize", "302 to redirect_uri with code and state"),
    "token": Route("POST", "/oidc/v1/token", "the keys oauth.retrieve_token reads; error body"),
    "me": Route("GET", "/api/2.0/preview/scim/v2/Me", iam.User),
    "warehouses": Route("GET", "/api/2.0/sql/warehouses", sql.ListWarehousesResponse),
    "warehouse": Route("GET", "/api/2.0/sql/warehouses/{id}", sql.GetWarehouseResponse),
    "warehouse_start": Route("POST", "/api/2.0/sql/warehouses/{id}/start", sql.StartWarehouseResponse),
    "execute": Route("POST", "/api/2.0/sql/statements", sql.StatementResponse),
    "statement": Route("GET", "/api/2.0/sql/statements/{id}", sql.StatementResponse),
    "chunk": Route("GET", "/api/2.0/sql/statements/{id}/result/chunks/{n}", sql.ResultData),
    "cancel": Route("POST", "/api/2.0/sql/statements/{id}/cancel", EMPTY),
    "catalogs": Route("GET", "/api/2.1/unity-catalog/catalogs", catalog.ListCatalogsResponse),
    "schemas": Route("GET", "/api/2.1/unity-catalog/schemas", catalog.ListSchemasResponse),
    "tables": Route("GET", "/api/2.1/unity-catalog/tables", catalog.ListTablesResponse),
    "table": Route("GET", "/api/2.1/unity-catalog/tables/{full_name}", catalog.TableInfo),
    "spaces": Route("GET", "/api/2.0/genie/spaces", dashboards.GenieListSpacesResponse),
    "space": Route("GET", "/api/2.0/genie/spaces/{space}", dashboards.GenieSpace),
    "start_conversation": Route(
        "POST", "/api/2.0/genie/spaces/{space}/start-conversation", dashboards.GenieStartConversationResponse
    ),
    "conversations": Route(
        "GET", "/api/2.0/genie/spaces/{space}/conversations", dashboards.GenieListConversationsResponse
    ),
    "delete_conversation": Route("DELETE", "/api/2.0/genie/spaces/{space}/conversations/{conversation}", EMPTY),
    "messages": Route("GET", _MESSAGES, dashboards.GenieListConversationMessagesResponse),
    "create_message": Route("POST", _MESSAGES, dashboards.GenieMessage),
    "message": Route("GET", _MESSAGES + "/{message}", dashboards.GenieMessage),
    "feedback": Route("POST", _MESSAGES + "/{message}/feedback", EMPTY),
    "query_result": Route("GET", _ATTACHMENT + "/query-result", _QUERY_RESULT),
    "execute_query": Route("POST", _ATTACHMENT + "/execute-query", _QUERY_RESULT),
    "download": Route("POST", _ATTACHMENT + "/downloads", dashboards.GenieGenerateDownloadFullQueryResultResponse),
    "download_poll": Route(
        "GET", _ATTACHMENT + "/downloads/{download}", dashboards.GenieGetDownloadFullQueryResultResponse
    ),
    "visualization": Route("GET", _ATTACHMENT + "/download-visualization", "a PNG (raw bytes, image/png)"),
    # Genie Agents (databricks-sdk-py 0.162 genieagents.py) and Agent mode's cancel (GenieAPI).
    "genie_agents": Route("GET", "/api/2.0/genie/agents", genieagents.ListGenieAgentsResponse),
    "genie_agent": Route("GET", "/api/2.0/genie/agents/{agent}", genieagents.GenieAgent),
    "agent_mode_cancel": Route("POST", _AGENT + "/responses/{response}/cancel", dashboards.GenieMessage),
    # Beta routes the SDK has no class or method for: their events are checked against the
    # API reference's names and order instead (test_shapes_agents.py, docs/api-fidelity.md).
    "agent_mode_responses": Route("POST", "/api/2.0/genie/agents/{agent}/responses", "SSE: response.created first, sequence_number 0, 1, …"),
    "agent_mode_items": Route("GET", _AGENT + "/items", "{data: [items], has_more, last_id}"),
    "one_responses": Route("POST", "/api/2.0/genie/one/responses", "SSE: response.created first, sequence_number 0, 1, …"),
    "one_response": Route("GET", "/api/2.0/genie/one/conversations/{conversation}/responses/{response}", "a Response object"),
    "one_conversations": Route("GET", "/api/2.0/genie/one/conversations", "{conversations: [...], next_page_token}"),
}

# Routes a test has called (see test_every_route_in_the_table_is_exercised).
EXERCISED = set()


# --- comparing ---------------------------------------------------------------------------

# protobuf Timestamp fields: the SDK re-renders them, so they compare as instants.
TIMESTAMP_KEYS = {"create_time", "update_time"}


def normalise(value):
    """Without the keys the SDK omits when empty: None, [] and {} (recursively)."""
    if isinstance(value, dict):
        kept = {key: normalise(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item is not None and item != [] and item != {}}
    if isinstance(value, list):
        return [normalise(item) for item in value]
    return value


def same(key, raw, back):
    if isinstance(raw, bool) or isinstance(back, bool):
        return type(raw) is type(back) and raw == back
    if {type(raw), type(back)} == {int, str}:  # int64 travels as a JSON string or number
        return str(raw) == str(back)
    if key in TIMESTAMP_KEYS and isinstance(raw, str) and isinstance(back, str):
        return datetime.fromisoformat(raw) == datetime.fromisoformat(back)
    return type(raw) is type(back) and raw == back


def differences(raw, back, path="$", key=None):
    """Each key path where `back` (the SDK's round trip) differs from `raw`, in words."""
    if isinstance(raw, dict) and isinstance(back, dict):
        for name, item in raw.items():
            if name not in back and isinstance(item, dict):  # name the innermost lost keys
                yield from differences(item, {}, f"{path}.{name}", name)
            elif name not in back:
                yield f"{path}.{name}: dropped by the SDK (unknown field or enum value); was {item!r:.80}"
            else:
                yield from differences(item, back[name], f"{path}.{name}", name)
        for name in back.keys() - raw.keys():
            yield f"{path}.{name}: added by the SDK: {back[name]!r:.80}"
    elif isinstance(raw, list) and isinstance(back, list):
        if len(raw) != len(back):
            yield f"{path}: {len(raw)} items became {len(back)}"
        for index, (a, b) in enumerate(zip(raw, back)):
            yield from differences(a, b, f"{path}[{index}]", key)
    elif not same(key, raw, back):
        yield f"{path}: {raw!r:.80} became {back!r:.80}"


def conforms(cls, raw, where):
    """`raw` survives `cls.from_dict(raw).as_dict()`; returns the parsed object."""
    parsed = cls.from_dict(raw)
    found = list(differences(normalise(raw), normalise(parsed.as_dict())))
    assert not found, f"{where}: {cls.__module__}.{cls.__name__} does not keep:\n  " + "\n  ".join(found)
    return parsed


# --- calling -----------------------------------------------------------------------------


class Api:
    """Plain `requests` against one emulator, as one caller (a bearer token)."""

    def __init__(self, base, token):
        self.base = base
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def raw(self, name, *, query=None, body=None, status=200, **ids):
        route = ROUTES[name]
        EXERCISED.add(name)
        response = self.session.request(
            route.method, self.base + route.path.format(**ids), params=query, json=body, timeout=60
        )
        said = f"{route.method} {route.path}: {response.status_code} {response.text}"
        assert response.status_code == status, said
        return response.json()

    def check(self, name, *, query=None, body=None, **ids):
        """Calls the route and checks its answer against the route's SDK class (or `{}`)."""
        route = ROUTES[name]
        raw = self.raw(name, query=query, body=body, **ids)
        if route.shape is EMPTY:
            assert raw == {}, f"{route.method} {route.path}: {raw}"
            return raw
        return conforms(route.shape, raw, f"{route.method} {route.path} {query or ''}".strip())


def token_request(base, **form):
    EXERCISED.add("token")
    return requests.post(f"{base}/oidc/v1/token", data=form, timeout=30)


def sign_in(base, client_id="brickdesk", scope="all-apis offline_access"):
    """U2M as the emulator's auto-approved alice: authorize (PKCE S256), then the code grant."""
    EXERCISED.add("authorize")
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = dict(
        client_id=client_id,
        redirect_uri=REDIRECT,
        response_type="code",
        scope=scope,
        state="compat-state",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    answer = requests.get(f"{base}/oidc/v1/authorize", params=params, allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text
    location = urllib.parse.urlsplit(answer.headers["Location"])
    query = urllib.parse.parse_qs(location.query)
    assert location._replace(query="").geturl() == REDIRECT and query["state"] == ["compat-state"]
    form = dict(grant_type="authorization_code", client_id=client_id, redirect_uri=REDIRECT)
    tokens = token_request(base, code=query["code"][0], code_verifier=verifier, **form)
    assert tokens.status_code == 200, tokens.text
    return tokens.json()


def bot_token(base):
    form = dict(grant_type="client_credentials", client_id="kpi-bot", client_secret="kpi-bot-secret")
    answer = token_request(base, scope="all-apis", **form)
    assert answer.status_code == 200, answer.text
    return answer.json()
