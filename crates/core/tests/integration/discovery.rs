//! Sign-in discovery is as forgiving as the official SDKs: whatever
//! `/.well-known/databricks-config` answers (404, a redirect to a login page, 401, 403, 500,
//! HTML), Brickdesk falls back to the standard OIDC paths and signs in; an `{account_id}`
//! placeholder in the document is filled in.

use crate::common;

use brickdesk_core::workspace::{DEMO_ID, SignInState};
use brickdesk_emulator::config::HostMetadataMode;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_unusable_host_metadata_answer_falls_back_to_the_standard_paths() {
    for mode in [
        HostMetadataMode::Missing,
        HostMetadataMode::Redirect,
        HostMetadataMode::Unauthorized,
        HostMetadataMode::Forbidden,
        HostMetadataMode::ServerError,
        HostMetadataMode::Html,
    ] {
        let config = brickdesk_emulator::Config {
            host_metadata: mode,
            ..alice()
        };
        let f = fixture(&format!("metadata-{mode:?}"), config, true).await;
        let url = sign_in_url(&f.service, DEMO_ID).await;
        assert_eq!(
            url::Url::parse(&url).expect("url").path(),
            "/oidc/v1/authorize",
            "{mode:?}"
        );
        let location = browse(&url).await;
        f.service
            .complete_sign_in(callback(&location))
            .await
            .unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        assert!(
            matches!(status(&f.service, DEMO_ID), SignInState::SignedIn { .. }),
            "{mode:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_placeholder_in_host_metadata_is_filled_in() {
    let config = brickdesk_emulator::Config {
        host_metadata: HostMetadataMode::AccountPlaceholder,
        ..alice()
    };
    let account = config.account_id.clone();
    let f = fixture("metadata-account", config, true).await;
    let url = sign_in_url(&f.service, DEMO_ID).await;
    assert_eq!(
        url::Url::parse(&url).expect("url").path(),
        format!("/oidc/accounts/{account}/v1/authorize")
    );
    let location = browse(&url).await;
    f.service
        .complete_sign_in(callback(&location))
        .await
        .expect("signed in through the account's endpoints");
    assert!(matches!(
        status(&f.service, DEMO_ID),
        SignInState::SignedIn { .. }
    ));
}
