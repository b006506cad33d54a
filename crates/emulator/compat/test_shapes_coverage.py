"""Route coverage: every REST path Brickdesk's core names must be in shapes.ROUTES (so the
shape-conformance tests judge it), and every route there must have been called by them. Runs
after test_shapes.py (file order), which fills EXERCISED.
"""

import re
from pathlib import Path

import pytest

from shapes import EXERCISED, ROUTES

# --- coverage ------------------------------------------------------------------------------

CORE = Path(__file__).resolve().parents[2] / "core" / "src"
LITERAL = re.compile(r'r#"(.*?)"#|"((?:[^"\\\n]|\\.)*)"', re.S)
# A format! string continuing a path built elsewhere: "{}/feedback", "{base}/query-result".
SUFFIX = re.compile(r"^\{[^}]*\}(/|\?)[^\s]*[A-Za-z]")
# Each such suffix and the route it completes (None: a base the next suffixes complete); the
# comment names the helper whose path it extends.
COMPOSED = {
    # the issuer (auth/discovery.rs), /oidc unless the host metadata names another
    "{}/.well-known/oauth-authorization-server": "/oidc/.well-known/oauth-authorization-server",
    "{}/start-conversation": "/api/2.0/genie/spaces/{}/start-conversation",  # spaces_path
    "{}?include_serialized_space=true": "/api/2.0/genie/spaces/{}",  # spaces_path
    "{}/conversations?page_size=100": "/api/2.0/genie/spaces/{}/conversations",
    "{}/conversations/{}": "/api/2.0/genie/spaces/{}/conversations/{}",
    "{}/conversations/{}/messages": "/api/2.0/genie/spaces/{}/conversations/{}/messages",
    "{}/conversations/{}/messages?page_size=100": "/api/2.0/genie/spaces/{}/conversations/{}/messages",
    "{}/conversations/{}/messages/{}": "/api/2.0/genie/spaces/{}/conversations/{}/messages/{}",
    "{}/feedback": "/api/2.0/genie/spaces/{}/conversations/{}/messages/{}/feedback",  # MessageRef::path
    "{}/{}/attachments/{}": None,  # messages_path + message: the base of the next two
    "{}/query-result": "/api/2.0/genie/spaces/{}/conversations/{}/messages/{}/attachments/{}/query-result",
    "{}/execute-query": "/api/2.0/genie/spaces/{}/conversations/{}/messages/{}/attachments/{}/execute-query",
    "{}?view=GENIE_AGENT_VIEW_FULL": "/api/2.0/genie/agents/{}",  # one agent (genie/mod.rs)
    "{}?o={}": None,  # a keychain binding's text (profiles/mod.rs), not a request
    "{}/cancel": "/api/2.0/sql/statements/{}/cancel",  # sql/execute.rs, on the statement's path
    "{}/attachments/{}": None,  # MessageRef::path + attachment (genie/all_rows.rs): the next two
    "{}/downloads": "/api/2.0/genie/spaces/{}/conversations/{}/messages/{}/attachments/{}/downloads",
    "{}/downloads/{}?download_id_signature={}": "/api/2.0/genie/spaces/{}/conversations/{}/messages/{}/attachments/{}/downloads/{}",
    "{}/attachments/{}/download-visualization": "/api/2.0/genie/spaces/{}/conversations/{}/messages/{}/attachments/{}/download-visualization",  # MessageRef::path
}
# Not routes: the issuer the OIDC paths hang off, and prefixes api.rs sorts errors by.
NOT_ROUTES = {"/oidc", "/oidc/accounts/", "/api/2.0/genie/", "/api/2.0/sql/", "/api/2.1/unity-catalog/"}


def template(path):
    return re.sub(r"\{[^}]*\}", "{}", path)


def core_literals():
    """(file, string) for each path-like literal in the core's code, without tests and comments."""
    for source in sorted(CORE.rglob("*.rs")):
        code = re.split(r"#\[cfg\(test\)\]\s*mod tests", source.read_text())[0]
        code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith("//"))
        for match in LITERAL.finditer(code):
            text = match.group(1) if match.group(1) is not None else match.group(2)
            if SUFFIX.match(text) or any(m in text for m in ("/api/2.", "/oidc", "/.well-known/")):
                yield source.relative_to(CORE), text


def test_routes_cover_the_core():
    """Every REST path Brickdesk's core names is in ROUTES, so no route goes unchecked."""
    covered = {template(r.path) for r in ROUTES.values()}
    missing = []
    for source, text in core_literals():
        text = template(text)
        if text in NOT_ROUTES:
            continue
        if text.startswith("{"):
            if text not in COMPOSED:
                missing.append(f"{source}: {text!r} continues a path; add it to COMPOSED")
            path = COMPOSED.get(text)
        else:
            path = text.split("?")[0]
        if path is not None and path not in covered:
            missing.append(f"{source}: {path} is not in ROUTES")
    assert not missing, "\n".join(missing)


def test_every_route_in_the_table_is_exercised(request):
    """Each ROUTES entry was called by test_shapes.py (skipped when tests were deselected or
    test_shapes.py did not run, as EXERCISED would then be partial)."""
    session = request.session
    ran_shapes = any(item.module.__name__ == "test_shapes" for item in session.items)
    if not ran_shapes or len(session.items) != session.testscollected:
        pytest.skip("test_shapes.py did not run in full")
    assert set(ROUTES) <= EXERCISED, sorted(set(ROUTES) - EXERCISED)
