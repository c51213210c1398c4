//! **Users** of the signed-in organization, for partners (`/partner/users`) and customer
//! admins (`/<portal>/users`): the list, one user's page with role, new set-password link
//! and removal, and the page where a new user sets their password.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

use crate::api::users::{
    AddUser, ChangeUserRole, NewPasswordLink, RemoveUser, SetPassword, REMOVED_PARAM, SAVED_PARAM,
};
use crate::components::form::{Field, FormError, PostForm, Submit};
use crate::components::layout::{ErrorPage, NotFound, PartnerFrame, PortalFrame, PublicFrame};
use crate::components::request::{form_error, query_param, set_status};
use crate::components::table::DataTable;
use crate::domain::{Cloud, Viewer, MIN_PASSWORD_LEN};
use crate::error::AppError;
use crate::i18n::{self, t, Locale};
use crate::routes::{user_page, users_page, SIGN_IN};
use crate::server::identity::users::{self, AnyRole, OrgUser};
use crate::server::AppState;

/// Which Users page the URL asks for: the partner's, or a customer portal's.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Partner,
    Portal(Option<Cloud>),
}

fn side_of_url() -> Side {
    match use_params_map().read_untracked().get("portal") {
        Some(p) => Side::Portal(Cloud::from_customer_prefix(&p)),
        None => Side::Partner,
    }
}

/// The signed-in viewer, if they belong on this side's page, with the app state.
async fn viewer_for(side: Side) -> Result<Option<(Viewer, AppState)>, AppError> {
    let Some(viewer) = crate::api::ctx::viewer().await? else {
        return Ok(None);
    };
    match (side, viewer.partner_role().is_some()) {
        (Side::Partner, true) | (Side::Portal(_), false) => {}
        (Side::Partner, false) => {
            return Err(AppError::Forbidden(crate::domain::Problem::PartnerOnly))
        }
        (Side::Portal(_), true) => {
            return Err(AppError::Forbidden(crate::domain::Problem::CustomerOnly))
        }
    }
    users::check_read(&viewer)?;
    if let Side::Portal(Some(cloud)) = side {
        if cloud != viewer.cloud {
            leptos_axum::redirect(&format!(
                "{}{}",
                viewer.cloud.customer_prefix(),
                path_tail()
            ));
        }
    }
    Ok(Some((viewer, crate::api::ctx::state()?)))
}

/// The part of the path after the portal (`/users/...`).
fn path_tail() -> String {
    let path = crate::components::request::path();
    match path.get(1..).and_then(|p| p.find('/')) {
        Some(i) => path[i + 1..].to_string(),
        None => String::new(),
    }
}

/// The page's frame for the viewer's side.
#[component]
fn UsersFrame(locale: Locale, viewer: Viewer, title: String, children: Children) -> impl IntoView {
    if viewer.partner_role().is_some() {
        view! {
            <PartnerFrame locale viewer title>
                <div class="narrow-page">{children()}</div>
            </PartnerFrame>
        }
        .into_any()
    } else {
        let cloud = viewer.cloud;
        view! {
            <PortalFrame cloud locale viewer=Some(viewer) title=Some(title)>
                <section class="portal-card">{children()}</section>
            </PortalFrame>
        }
        .into_any()
    }
}

/// What a page shows when the viewer is not signed in or not allowed.
fn elsewhere(
    side: Side,
    locale: Locale,
    result: Result<Option<(Viewer, AppState)>, AppError>,
) -> AnyView {
    match (result, side) {
        (Err(error), _) => view! { <ErrorPage locale error /> }.into_any(),
        (Ok(_), Side::Portal(Some(cloud))) => {
            view! { <crate::pages::customer::SignInFirst cloud locale /> }.into_any()
        }
        (Ok(_), _) => view! { <NotFound /> }.into_any(),
    }
}

fn role_name(locale: Locale, role: AnyRole) -> String {
    match role {
        AnyRole::Partner(r) => i18n::partner_role(locale, r),
        AnyRole::Customer(r) => i18n::customer_role(locale, r),
    }
}

fn role_of(locale: Locale, viewer: &Viewer, code: &str) -> String {
    users::parse_role(viewer, code)
        .map(|r| role_name(locale, r))
        .unwrap_or_else(|_| code.to_string())
}

fn status(locale: Locale, user: &OrgUser) -> String {
    match user.password_set {
        true => t!(locale, user_status_active).to_string(),
        false => t!(locale, user_status_pending).to_string(),
    }
}

/// `/partner/users` and `/<portal>/users`.
#[component]
pub fn UsersPage() -> impl IntoView {
    let locale = i18n::current();
    let side = side_of_url();
    let removed = query_param(REMOVED_PARAM);
    let error = form_error(AddUser::PATH);
    view! {
        <Suspense>
            {Suspend::new(async move {
                let (viewer, state) = match viewer_for(side).await {
                    Ok(Some(found)) => found,
                    other => return elsewhere(side, locale, other),
                };
                let list = match users::list(&state.db, &viewer).await {
                    Ok(list) => list,
                    Err(error) => return view! { <ErrorPage locale error /> }.into_any(),
                };
                let removed = match removed {
                    Some(id) => users::removed_name(&state.db, &viewer, &id).await.ok().flatten(),
                    None => None,
                };
                view! { <UserList locale viewer list removed error /> }.into_any()
            })}
        </Suspense>
    }
}

#[component]
fn UserList(
    locale: Locale,
    viewer: Viewer,
    list: Vec<OrgUser>,
    removed: Option<String>,
    error: Option<String>,
) -> impl IntoView {
    let manage = users::can_manage(&viewer);
    let title = t!(locale, users_title).to_string();
    let labels = [
        t!(locale, col_name).to_string(),
        t!(locale, email).to_string(),
        t!(locale, col_role).to_string(),
        t!(locale, col_status).to_string(),
        t!(locale, col_added).to_string(),
    ];
    let intro = match manage {
        true => t!(locale, users_intro_admin, org = &viewer.org_name).to_string(),
        false => t!(locale, users_intro_read, org = &viewer.org_name).to_string(),
    };
    let rows = list
        .into_iter()
        .map(|u| {
            let href = user_page(&viewer, &u.id);
            let you = (u.id == viewer.user_id).then(|| view! { " " <span class="muted">{t!(locale, user_you)}</span> });
            let role = role_of(locale, &viewer, &u.role);
            let state = status(locale, &u);
            let key = u.email.clone();
            view! {
                <tr data-user=key>
                    <td data-label=labels[0].clone()><a href=href>{u.name}</a>{you}</td>
                    <td data-label=labels[1].clone()>{u.email}</td>
                    <td data-label=labels[2].clone() class="role">{role}</td>
                    <td data-label=labels[3].clone() class="status">{state}</td>
                    <td class="when" data-label=labels[4].clone()>{i18n::date(locale, u.added_at)}</td>
                </tr>
            }
        })
        .collect_view();
    let roles = users::roles_of(&viewer);
    let add = manage.then(|| {
        view! {
            <section class="panel" aria-labelledby="add-user">
            <h2 id="add-user" class="section-title">{t!(locale, add_user_title)}</h2>
            <p class="note">{t!(locale, add_user_hint)}</p>
            <PostForm action=AddUser::PATH class="stack">
                <Field label=t!(locale, col_name).to_string()>
                    <input name="name" required maxlength="120" autocomplete="off" />
                </Field>
                <Field label=t!(locale, email).to_string()>
                    <input name="email" type="email" required autocomplete="off" />
                </Field>
                <Field label=t!(locale, col_role).to_string()>
                    <select name="role" required>
                        // The least privileged role first chosen: more is given on purpose.
                        {roles.iter().map(|r| {
                            let selected = Some(r) == roles.last();
                            view! { <option value=r.code() selected=selected>{role_name(locale, *r)}</option> }
                        }).collect_view()}
                    </select>
                </Field>
                <FormError error />
                <div class="actions">
                    <Submit label=t!(locale, add_user).to_string() pending=t!(locale, adding).to_string() />
                </div>
            </PostForm>
            </section>
        }
    });
    view! {
        <UsersFrame locale viewer title=title.clone()>
            <h1>{title}</h1>
            {removed.map(|name| view! {
                <p class="notice" role="status" tabindex="-1" autofocus>{t!(locale, user_removed_notice, name = &name).to_string()}</p>
            })}
            <p class="muted">{intro}</p>
            <div>
                <DataTable class="users" labels=labels.to_vec()>{rows}</DataTable>
            </div>
            {add}
        </UsersFrame>
    }
}

/// `/partner/users/:user` and `/<portal>/users/:user`.
#[component]
pub fn UserPage() -> impl IntoView {
    let locale = i18n::current();
    let side = side_of_url();
    let user_id = use_params_map()
        .read_untracked()
        .get("user")
        .unwrap_or_default();
    let saved = query_param(SAVED_PARAM).is_some();
    let errors = UserErrors {
        role: form_error(ChangeUserRole::PATH),
        link: form_error(NewPasswordLink::PATH),
        remove: form_error(RemoveUser::PATH),
    };
    view! {
        <Suspense>
            {Suspend::new(async move {
                let (viewer, state) = match viewer_for(side).await {
                    Ok(Some(found)) => found,
                    other => return elsewhere(side, locale, other),
                };
                let user = match users::get(&state.db, &viewer, &user_id).await {
                    Ok(Some(user)) => user,
                    Ok(None) => {
                        set_status(404);
                        return view! { <NotFound /> }.into_any();
                    }
                    Err(error) => return view! { <ErrorPage locale error /> }.into_any(),
                };
                let fresh = fresh_link(&viewer, &user.id).map(|token| {
                    crate::api::users::password_link(&state.config.public_url, &token)
                });
                view! { <UserDetail locale viewer user fresh saved errors /> }.into_any()
            })}
        </Suspense>
    }
}

/// The set-password link made for `user_id` a moment ago, handed over by a cookie of the
/// user's page: shown this once.
fn fresh_link(viewer: &Viewer, user_id: &str) -> Option<String> {
    let page = crate::routes::user_page(viewer, user_id);
    let (for_user, token) = crate::api::ctx::take_over(crate::api::users::FRESH_LINK_KEY, &page)?;
    (for_user == user_id).then_some(token)
}

#[derive(Clone, Default)]
struct UserErrors {
    role: Option<String>,
    link: Option<String>,
    remove: Option<String>,
}

#[component]
fn UserDetail(
    locale: Locale,
    viewer: Viewer,
    user: OrgUser,
    fresh: Option<String>,
    saved: bool,
    errors: UserErrors,
) -> impl IntoView {
    let manage = users::can_manage(&viewer);
    let back = users_page(&viewer);
    let role = role_of(locale, &viewer, &user.role);
    let fresh = fresh.map(|link| {
        let until = i18n::date(locale, crate::server::platform::db::now() + users::LINK_LIFETIME);
        view! {
            <div class="notice fresh-link" role="status" tabindex="-1" autofocus>
                <h2>{t!(locale, fresh_link_title)}</h2>
                <p>{t!(locale, fresh_link_text, name = &user.name, date = &until).to_string()}</p>
                <label class="field">
                    <span class="field-label">{t!(locale, fresh_link_label, name = &user.name).to_string()}</span>
                    <input class="link-box" type="text" readonly value=link />
                </label>
            </div>
        }
    });
    let saved =
        saved.then(|| view! { <p class="notice" role="status">{t!(locale, role_saved)}</p> });
    let forms = if manage {
        let roles = users::roles_of(&viewer);
        let current = user.role.clone();
        let (id, id2, id3) = (user.id.clone(), user.id.clone(), user.id.clone());
        let name = user.name.clone();
        view! {
            <section class="panel" aria-labelledby="role-title">
            <h2 id="role-title" class="section-title">{t!(locale, change_role_title)}</h2>
            <PostForm action=ChangeUserRole::PATH class="inline-form">
                <input type="hidden" name="user" value=id />
                <Field label=t!(locale, col_role).to_string()>
                    <select name="role">
                        {roles.into_iter().map(|r| {
                            let selected = r.code() == current;
                            view! { <option value=r.code() selected=selected>{role_name(locale, r)}</option> }
                        }).collect_view()}
                    </select>
                </Field>
                <FormError error=errors.role />
                <Submit class="button" label=t!(locale, save_role).to_string() pending=t!(locale, saving).to_string() />
            </PostForm>
            </section>
            <section class="panel" aria-labelledby="link-title">
            <h2 id="link-title" class="section-title">{t!(locale, new_link_title)}</h2>
            <p class="note">{t!(locale, new_link_text, name = &name).to_string()}</p>
            <PostForm action=NewPasswordLink::PATH class="stack">
                <input type="hidden" name="user" value=id2 />
                <FormError error=errors.link />
                <div class="actions">
                    <Submit class="button" label=t!(locale, new_link).to_string() pending=t!(locale, saving).to_string() />
                </div>
            </PostForm>
            </section>
            <section class="panel subtle" aria-labelledby="remove-title">
            <h2 id="remove-title" class="section-title">{t!(locale, remove_user)}</h2>
            <p class="note">{t!(locale, remove_user_text, name = &name).to_string()}</p>
            <PostForm action=RemoveUser::PATH class="stack">
                <input type="hidden" name="user" value=id3 />
                <label class="check">
                    <input type="checkbox" name="confirm" value="yes" required />
                    <span>{t!(locale, remove_user_confirm, name = &name).to_string()}</span>
                </label>
                <FormError error=errors.remove />
                <div class="actions">
                    <Submit class="button danger" label=t!(locale, remove_user).to_string() pending=t!(locale, removing).to_string() />
                </div>
            </PostForm>
            </section>
        }
        .into_any()
    } else {
        view! { <p class="muted">{t!(locale, users_manage_only)}</p> }.into_any()
    };
    let title = user.name.clone();
    view! {
        <UsersFrame locale viewer title=title.clone()>
            <p class="crumbs"><a href=back>{t!(locale, users_title)}</a></p>
            <h1>{title}</h1>
            {fresh}
            {saved}
            <dl class="facts">
                <dt>{t!(locale, email)}</dt>
                <dd>{user.email.clone()}</dd>
                <dt>{t!(locale, col_role)}</dt>
                <dd class="role">{role}</dd>
                <dt>{t!(locale, col_status)}</dt>
                <dd class="status">{status(locale, &user)}</dd>
                <dt>{t!(locale, col_added)}</dt>
                <dd>{i18n::date(locale, user.added_at)}</dd>
            </dl>
            {forms}
        </UsersFrame>
    }
}

/// `/set-password?token=…`: the page of a set-password link.
#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let locale = i18n::current();
    let token = query_param("token").unwrap_or_default();
    let error = form_error(SetPassword::PATH);
    view! {
        <Suspense>
            {Suspend::new(async move {
                let holder = match crate::api::ctx::state() {
                    Ok(state) if !token.is_empty() && token.len() <= 100 => {
                        users::link_holder(&state.db, &token).await.ok().flatten()
                    }
                    _ => None,
                };
                match holder {
                    Some(holder) => view! {
                        <PublicFrame locale title=t!(locale, set_password_title).to_string()>
                            <section class="card narrow">
                                <h1>{t!(locale, set_password_title)}</h1>
                                <p>{t!(locale, set_password_for, name = &holder.name, email = &holder.email, org = &holder.org_name).to_string()}</p>
                                <PostForm action=SetPassword::PATH class="stack">
                                    <input type="hidden" name="token" value=token />
                                    <input type="hidden" autocomplete="username" value=holder.email.clone() />
                                    <Field
                                        label=t!(locale, new_password).to_string()
                                        hint=t!(locale, err_password_short, min = MIN_PASSWORD_LEN).to_string()
                                    >
                                        <input name="password" type="password" required minlength=MIN_PASSWORD_LEN.to_string() autocomplete="new-password" />
                                    </Field>
                                    <FormError error />
                                    <Submit label=t!(locale, set_password_submit).to_string() pending=t!(locale, saving).to_string() />
                                </PostForm>
                            </section>
                        </PublicFrame>
                    }.into_any(),
                    None => {
                        set_status(410);
                        view! {
                            <PublicFrame locale title=t!(locale, link_gone_title).to_string()>
                                <section class="card narrow">
                                    <h1>{t!(locale, link_gone_title)}</h1>
                                    <p>{t!(locale, err_password_link)}</p>
                                    <p><a href=SIGN_IN>{t!(locale, sign_in)}</a></p>
                                </section>
                            </PublicFrame>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
