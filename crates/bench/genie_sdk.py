"""The official Databricks SDK for Python asking the same question as the Genie benchmark.

Usage: genie_sdk.py URL SPACE_ID QUESTION N. Prints JSON: per question, the time from the
emulator marking the message COMPLETED to `start_conversation_and_wait` returning (ms), and
the Genie requests the emulator logged for it. Signs in as the demo service principal.
"""

import json
import sys
import time
import urllib.request

from databricks.sdk import WorkspaceClient


def genie_requests(url):
    with urllib.request.urlopen(f"{url}/__emulator/requests?path_prefix=/api/2.0/genie/") as response:
        return len(json.load(response)["requests"])


def main():
    url, space, question, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    client = WorkspaceClient(host=url, client_id="kpi-bot", client_secret="kpi-bot-secret")
    latencies, requests = [], []
    for _ in range(count):
        before = genie_requests(url)
        message = client.genie.start_conversation_and_wait(space, question)
        returned = time.time() * 1000
        requests.append(genie_requests(url) - before)
        latencies.append(returned - message.last_updated_timestamp)
    print(json.dumps({"latencies_ms": latencies, "requests": requests}))


if __name__ == "__main__":
    main()
