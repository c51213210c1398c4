//! `/docs/api`: the REST API's documentation, rendered by Accord from the same OpenAPI
//! document it serves at `/openapi.json` (so the two never disagree), with a curl example
//! per endpoint. No script or font from anywhere else.

use leptos::prelude::*;
use serde_json::Value;
use utoipa::OpenApi;

use crate::components::layout::PublicFrame;
use crate::components::table::DataTable;
use crate::i18n::{self, t};

/// One operation of the document, ready to show.
struct Endpoint {
    method: String,
    path: String,
    summary: String,
    description: String,
    /// (name, where, required, description)
    params: Vec<(String, String, bool, String)>,
    /// (status, schema name)
    responses: Vec<(String, String)>,
    body: Option<String>,
}

fn schema_name(v: &Value) -> String {
    v.pointer("/content/application~1json/schema/$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
        .unwrap_or_default()
        .to_string()
}

fn endpoints() -> Vec<Endpoint> {
    let doc = serde_json::to_value(crate::server::integrations::rest::ApiDoc::openapi())
        .unwrap_or_default();
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        for method in ["get", "patch", "post", "put", "delete"] {
            let Some(op) = item.get(method) else { continue };
            let text = |k: &str| {
                op.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    // Markdown code marks read as noise on the page.
                    .replace('`', "")
            };
            let params = op
                .get("parameters")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            let s = |k: &str| {
                                p.get(k)
                                    .and_then(Value::as_str)
                                    .unwrap_or_default()
                                    .replace('`', "")
                            };
                            (
                                s("name"),
                                s("in"),
                                p.get("required") == Some(&Value::Bool(true)),
                                s("description"),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let responses = op
                .get("responses")
                .and_then(Value::as_object)
                .map(|rs| {
                    rs.iter()
                        .map(|(status, r)| (status.clone(), schema_name(r)))
                        .collect()
                })
                .unwrap_or_default();
            let body = op.get("requestBody").map(schema_name);
            out.push(Endpoint {
                method: method.to_uppercase(),
                path: path.clone(),
                summary: text("summary"),
                description: text("description"),
                params,
                responses,
                body,
            });
        }
    }
    out
}

/// A curl command for the endpoint on this Accord.
fn curl(base: &str, e: &Endpoint) -> String {
    let path = e.path.replace("{id}", "<customer tenant id>");
    let query = match e.path.as_str() {
        "/v1/customers/relationshiprequests" => "?dap=true",
        "/v1/customers" => "?size=100",
        "/v1/relationships" => "?relationship_type=IsIndirectCloudSolutionProviderOf",
        _ => "",
    };
    let mut cmd = String::from("curl");
    if e.method != "GET" {
        cmd.push_str(&format!(" -X {}", e.method));
    }
    cmd.push_str(" -H \"Authorization: Bearer $KEY\"");
    if e.body.is_some() {
        cmd.push_str(
            " -H \"Content-Type: application/json\" \\\n  -d '{\"relationshipToPartner\": \"none\", \"attributes\": {\"objectType\": \"Customer\"}}'",
        );
    }
    cmd.push_str(&format!(" \\\n  \"{base}{path}{query}\""));
    cmd
}

#[component]
pub fn ApiDocsPage() -> impl IntoView {
    let locale = i18n::current();
    let base = crate::api::ctx::state()
        .map(|s| s.config.public_url.trim_end_matches('/').to_string())
        .unwrap_or_default();
    let title = t!(locale, api_docs_title).to_string();
    let labels = [
        t!(locale, api_param).to_string(),
        t!(locale, api_param_in).to_string(),
        t!(locale, api_param_about).to_string(),
    ];
    let list = endpoints()
        .into_iter()
        .map(|e| {
            let example = curl(&base, &e);
            let heading = format!("{} {}", e.method, e.path);
            let label = heading.clone();
            let params = (!e.params.is_empty()).then(|| {
                let rows = e
                    .params
                    .iter()
                    .map(|(name, place, required, about)| {
                        let name = if *required { format!("{name} *") } else { name.clone() };
                        view! {
                            <tr>
                                <td data-label=labels[0].clone()><code>{name}</code></td>
                                <td data-label=labels[1].clone()>{place.clone()}</td>
                                <td data-label=labels[2].clone()>{about.clone()}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <DataTable class="params" labels=labels.to_vec()>{rows}</DataTable>
                }
            });
            let body = e.body.clone().map(|b| {
                view! { <p>{t!(locale, api_body)} " " <code>{b}</code></p> }
            });
            let responses = e
                .responses
                .iter()
                .map(|(status, schema)| view! { <li><code>{status.clone()}</code> " " {schema.clone()}</li> })
                .collect_view();
            view! {
                <section class="endpoint" aria-label=label>
                    <h2><code>{heading}</code></h2>
                    <p>{e.summary}</p>
                    {(!e.description.is_empty()).then(|| view! { <p class="muted">{e.description}</p> })}
                    {params}
                    {body}
                    <p>{t!(locale, api_responses)}</p>
                    <ul class="responses">{responses}</ul>
                    <pre tabindex="0"><code>{example}</code></pre>
                </section>
            }
        })
        .collect_view();
    view! {
        <PublicFrame locale title=title.clone()>
            <section class="card docs">
                <h1>{title}</h1>
                <p>{t!(locale, api_docs_intro)}</p>
                <pre tabindex="0"><code>"Authorization: Bearer acc_…"</code></pre>
                <p>{t!(locale, api_docs_errors)}</p>
                <p><a href="/openapi.json">{t!(locale, api_docs_openapi)}</a></p>
                {list}
            </section>
        </PublicFrame>
    }
}
