// The workspace's Genie agents (Databricks' name since late 2026 for Genie spaces; the old name
// stays in the help line so people who know it find them), pinned ones first, with a star to pin; a field to open a
// space from a pasted Genie link (a space a colleague shared); and the chosen space's past
// conversations, to open or delete.
import { useState } from "preact/hooks";
import type { ConversationSummary, Favourite, Space } from "../platform";

interface Props {
  spaces: Space[] | null;
  favourites: Favourite[];
  selected: string | null;
  conversations: ConversationSummary[];
  activeConversation: string | null;
  onSelect: (space: Space) => void;
  onPin: (space: Space, pinned: boolean) => void;
  onOpenLink: (link: string) => void;
  onOpenConversation: (id: string) => void;
  onDeleteConversation: (id: string) => void;
  onNewConversation: () => void;
}

export function SpacePicker(props: Props) {
  const { spaces, favourites, selected, conversations, activeConversation } = props;
  const [link, setLink] = useState("");
  const pinned = new Set(favourites.map((f) => f.spaceId));
  const ordered = [...(spaces ?? [])].sort((a, b) => Number(pinned.has(b.spaceId)) - Number(pinned.has(a.spaceId)));
  return (
    <nav class="genie-side" aria-label="Genie agents">
      <h2 class="side-title" title="Genie agents were called Genie spaces before">
        Genie agents
      </h2>
      {!spaces && <p class="muted">Loading…</p>}
      {spaces?.length === 0 && <p class="muted">No Genie agent (formerly a Genie space) is shared with you in this workspace.</p>}
      <ul class="space-list">
        {ordered.map((space) => (
          <li key={space.spaceId} class={space.spaceId === selected ? "active" : undefined}>
            <button type="button" class="space-button" data-testid="genie-space" aria-current={space.spaceId === selected} onClick={() => props.onSelect(space)}>
              <strong>{space.title}</strong>
              {space.description && <small class="muted">{space.description}</small>}
            </button>
            <button
              type="button"
              class="ghost pin"
              aria-pressed={pinned.has(space.spaceId)}
              aria-label={pinned.has(space.spaceId) ? `Unpin ${space.title}` : `Pin ${space.title}`}
              onClick={() => props.onPin(space, !pinned.has(space.spaceId))}
            >
              {pinned.has(space.spaceId) ? "★" : "☆"}
            </button>
          </li>
        ))}
      </ul>
      <form
        class="open-space"
        onSubmit={(event) => {
          event.preventDefault();
          if (link.trim()) props.onOpenLink(link.trim());
        }}
      >
        <input
          type="text"
          placeholder="Paste a Genie link"
          aria-label="Open a space from a Genie link"
          data-testid="genie-link"
          value={link}
          onInput={(event) => setLink(event.currentTarget.value)}
        />
        <button type="submit" class="ghost" data-testid="genie-open-link">
          Open
        </button>
      </form>
      {selected && (
        <>
          <h2 class="side-title">
            Conversations
            <button type="button" class="ghost" data-testid="genie-new-conversation" onClick={props.onNewConversation}>
              New
            </button>
          </h2>
          {conversations.length === 0 && <p class="muted">None yet.</p>}
          <ul class="conversation-list">
            {conversations.map((c) => (
              <li key={c.conversationId} class={c.conversationId === activeConversation ? "active" : undefined}>
                <button
                  type="button"
                  class="space-button"
                  data-testid="genie-conversation"
                  data-agent-mode={c.agentMode ? "true" : undefined}
                  title={c.agentMode ? "Researched in Agent mode: opens its reports; a follow-up continues in Agent mode" : undefined}
                  onClick={() => props.onOpenConversation(c.conversationId)}
                >
                  {c.title}
                  {c.agentMode && <span class="badge conversation-mode">Agent mode</span>}
                </button>
                <button type="button" class="ghost" aria-label={`Delete ${c.title}`} onClick={() => props.onDeleteConversation(c.conversationId)}>
                  ×
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </nav>
  );
}
