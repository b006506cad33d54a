// The chart Genie drew itself for an answer (a `viz` attachment), shown beside Brickdesk's own
// so a user sees what the web UI would show. Its picture is fetched once the answer is shown;
// Genie's visualizations are in Beta, so one that will not load says so and nothing else.
import { useEffect, useState } from "preact/hooks";
import { genieVisualization, toAppError, type MessageRef, type Visualization } from "../platform";

interface Props {
  workspaceId: string;
  message: MessageRef;
  visualization: Visualization;
}

export function GenieChart({ workspaceId, message, visualization }: Props) {
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    genieVisualization(workspaceId, message, visualization.attachmentId).then(
      (url) => live && setSrc(url),
      (e) => live && setError(toAppError(e).message),
    );
    return () => {
      live = false;
    };
  }, [workspaceId, message.messageId, visualization.attachmentId]);
  const title = visualization.title ?? "Genie's chart";
  return (
    <figure class="genie-viz" data-testid="genie-viz">
      <figcaption class="muted">Genie's own chart{visualization.title ? `: ${visualization.title}` : ""}</figcaption>
      {src && <img src={src} alt={title} data-testid="genie-viz-image" />}
      {error && <p class="muted">{error}</p>}
      {!src && !error && <p class="muted">Loading…</p>}
    </figure>
  );
}
