//! `/docs/api`: the REST API's documentation, rendered by Accord from the same OpenAPI
//! document it serves at `/openapi.json` (so the two never disagree), with a curl example
//! per endpoint. No script or font from anywhere else.

use leptos::prelude::*;
use serde_json::Value;

use crate::components::layout::PublicFrame;
use crate::components::prose::Prose;
use crate::components::table::DataTable;
use crate::i18n::{self, t, Locale};

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
    let doc = crate::server::integrations::rest::document();
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
                    .to_string()
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
                                    .to_string()
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

/// An operation's summary and description in the reader's language; an operation without
/// words of its own here keeps the document's.
fn op_words(locale: Locale, e: &Endpoint) -> (String, String) {
    let words = match (e.method.as_str(), e.path.as_str()) {
        ("GET", "/v1/customers/relationshiprequests") => Some((t!(locale, apidoc_request), None)),
        ("GET", "/v1/customers") => Some((t!(locale, apidoc_customers), None)),
        ("GET", "/v1/customers/{id}") => Some((t!(locale, apidoc_customer), None)),
        ("PATCH", "/v1/customers/{id}") => Some((
            t!(locale, apidoc_remove),
            Some(t!(locale, apidoc_remove_more)),
        )),
        ("GET", "/v1/customers/{id}/agreements") => Some((t!(locale, apidoc_agreements), None)),
        ("GET", "/v1/relationships") => Some((t!(locale, apidoc_relationships), None)),
        _ => None,
    };
    match words {
        Some((summary, more)) => (
            summary.to_string(),
            more.map(|m| m.to_string()).unwrap_or_default(),
        ),
        None => (e.summary.clone(), e.description.clone()),
    }
}

/// A parameter's description in the reader's language (the document's when unknown).
fn param_words(locale: Locale, name: &str, english: &str) -> String {
    match name {
        "dap" => t!(locale, apidoc_p_dap),
        "indirectProviderId" => t!(locale, apidoc_p_indirect),
        "size" => t!(locale, apidoc_p_size),
        "continuationToken" => t!(locale, apidoc_p_token),
        "id" => t!(locale, apidoc_p_id),
        "relationship_type" => t!(locale, apidoc_p_relationship_type),
        "seekOperation" => t!(locale, apidoc_p_seek),
        "filter" => t!(locale, apidoc_p_filter),
        "agreementType" => t!(locale, apidoc_p_agreement_type),
        "MS-ContinuationToken" => t!(locale, apidoc_p_header_token),
        _ => return english.to_string(),
    }
    .to_string()
}

/// Where a parameter goes, in words.
fn place_words(locale: Locale, place: &str) -> String {
    match place {
        "query" => t!(locale, apidoc_in_query).to_string(),
        "path" => t!(locale, apidoc_in_path).to_string(),
        "header" => t!(locale, apidoc_in_header).to_string(),
        other => other.to_string(),
    }
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
            let (summary, description) = op_words(locale, &e);
            let heading = format!("{} {}", e.method, e.path);
            let label = heading.clone();
            let params = (!e.params.is_empty()).then(|| {
                let rows = e
                    .params
                    .iter()
                    .map(|(name, place, required, about)| {
                        let shown = if *required { format!("{name} *") } else { name.clone() };
                        view! {
                            <tr>
                                <td data-label=labels[0].clone()><code>{shown}</code></td>
                                <td data-label=labels[1].clone()>{place_words(locale, place)}</td>
                                <td data-label=labels[2].clone()><Prose text=param_words(locale, name, about) /></td>
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
                .map(|(status, schema)| view! { <li><code>{status.clone()}</code> " " <code>{schema.clone()}</code></li> })
                .collect_view();
            view! {
                <section class="endpoint" aria-label=label>
                    <h2><code>{heading}</code></h2>
                    <p><Prose text=summary /></p>
                    {(!description.is_empty()).then(|| view! { <p class="muted"><Prose text=description /></p> })}
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
                <p><Prose text=t!(locale, api_docs_errors).to_string() /></p>
                <p><a href="/openapi.json">{t!(locale, api_docs_openapi)}</a></p>
                {list}
            </section>
        </PublicFrame>
    }
}
