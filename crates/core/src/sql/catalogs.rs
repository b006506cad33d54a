//! Catalogs and schemas for the editor's pickers, from Unity Catalog
//! (`/api/2.1/unity-catalog/catalogs`, `/schemas`), following `next_page_token`. They need no
//! running warehouse. Only names are kept.

use crate::ErrorInfo;
use crate::api::Api;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Named {
    name: String,
}

#[derive(Debug, Deserialize)]
struct Page {
    #[serde(default)]
    catalogs: Vec<Named>,
    #[serde(default)]
    schemas: Vec<Named>,
    #[serde(default)]
    next_page_token: Option<String>,
}

/// Pages fetched at most (a workspace with more catalogs than this is typed into the box).
const MAX_PAGES: usize = 20;

async fn names(
    api: &Api,
    base: &str,
    pick: fn(Page) -> (Vec<Named>, Option<String>),
) -> Result<Vec<String>, ErrorInfo> {
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let separator = if base.contains('?') { '&' } else { '?' };
        let path = match &token {
            Some(t) => format!(
                "{base}{separator}page_token={}",
                url::form_urlencoded::byte_serialize(t.as_bytes()).collect::<String>()
            ),
            None => base.to_owned(),
        };
        let (items, next) = pick(api.get::<Page>(&path).await?);
        names.extend(items.into_iter().map(|n| n.name));
        token = next.filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
    }
    names.sort();
    names.dedup();
    Ok(names)
}

/// The catalogs the signed-in user can see.
pub async fn catalogs(api: &Api) -> Result<Vec<String>, ErrorInfo> {
    names(api, "/api/2.1/unity-catalog/catalogs", |p| {
        (p.catalogs, p.next_page_token)
    })
    .await
}

/// The schemas of `catalog`.
pub async fn schemas(api: &Api, catalog: &str) -> Result<Vec<String>, ErrorInfo> {
    let catalog: String = url::form_urlencoded::byte_serialize(catalog.as_bytes()).collect();
    names(
        api,
        &format!("/api/2.1/unity-catalog/schemas?catalog_name={catalog}"),
        |p| (p.schemas, p.next_page_token),
    )
    .await
}
