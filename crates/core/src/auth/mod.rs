//! Signing in to workspaces: endpoint discovery, the U2M authorization-code flow with PKCE
//! (deep-link or loopback redirect), M2M client credentials, personal access tokens, and the
//! per-profile token lifecycle (refresh ahead of expiry, single-flight, rotation persisted
//! first, sign-out on a revoked grant), and the preflight that asks the authorize endpoint
//! whether the app connection accepts Brickdesk's redirect before a browser opens.
//!
//! Boundary: secrets are `Sensitive` from the moment they arrive until they are sent; the UI
//! only ever learns a [`SignInState`](session::SignInState).

pub mod discovery;
pub mod login;
pub mod loopback;
pub mod oauth;
pub mod preflight;
pub mod session;
