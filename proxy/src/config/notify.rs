//! `[[webhooks]]`, `[email]` and a profile's `emails`, `notify` and `reminders`: who is
//! told of a booking's changes, and how.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lettre::message::Mailbox;

use super::raw::{ProviderKind, RawEmail, RawEmails, RawProfile, RawWebhook};
use super::Problem;
use crate::notify::Event;
use crate::providers::common::is_name;

/// One `[[webhooks]]` endpoint.
#[derive(Clone)]
pub struct WebhookConfig {
    pub url: String,
    pub secret_env: String,
    secret: String,
    pub events: Vec<Event>,
    /// `None`: every profile.
    pub profiles: Option<Vec<String>>,
}

impl WebhookConfig {
    /// The signing secret as the variable holds it (checked when the sender is built).
    pub fn secret(&self) -> &str {
        &self.secret
    }

    pub fn wants(&self, profile: &str, event: Event) -> bool {
        self.events.contains(&event)
            && self
                .profiles
                .as_ref()
                .is_none_or(|p| p.iter().any(|p| p == profile))
    }
}

impl std::fmt::Debug for WebhookConfig {
    // Never print the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url)
            .field("secret_env", &self.secret_env)
            .field("events", &self.events)
            .field("profiles", &self.profiles)
            .finish_non_exhaustive()
    }
}

/// Where `[email]` sends messages.
#[derive(Debug, Clone, PartialEq)]
pub enum MailTransport {
    /// `smtp://host:port`: STARTTLS required, unless `?tls=none` (`starttls` false).
    Smtp {
        host: String,
        port: u16,
        starttls: bool,
    },
    /// `smtps://host:port`: TLS from the first byte.
    Smtps { host: String, port: u16 },
    /// `file://dir`: one `.eml` file per message.
    File(PathBuf),
}

#[derive(Clone)]
pub struct EmailConfig {
    pub transport: MailTransport,
    pub username: Option<String>,
    password: Option<String>,
    pub from: Mailbox,
}

impl EmailConfig {
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }
}

impl std::fmt::Debug for EmailConfig {
    // Never print the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailConfig")
            .field("transport", &self.transport)
            .field("username", &self.username)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// A profile's notification keys.
#[derive(Debug, Clone, Default)]
pub struct ProfileNotify {
    /// Whether `[email]` sends this profile's emails (local profiles: unless `emails =
    /// false`; remote ones, whose provider mails the visitor itself: only with `emails = true`).
    pub emails: bool,
    /// Host copies.
    pub notify: Vec<String>,
    /// Minutes before the start.
    pub reminders: Vec<u32>,
}

/// `[[webhooks]]`; `profiles` are the file's, and with `stored` (the admin API) a webhook
/// may also name profiles kept in the database.
pub(super) fn webhooks(
    raw: Vec<RawWebhook>,
    profiles: &BTreeMap<String, RawProfile>,
    stored: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<WebhookConfig>, Problem> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, w) in raw.into_iter().enumerate() {
        let at = |key: &str| format!("webhooks[{i}].{key}");
        let url = w.url.ok_or_else(|| Problem::at(at("url"), "is required"))?;
        if !is_http_url(&url) {
            return Err(Problem::at(
                at("url"),
                format!("{url:?} is not an http(s) URL"),
            ));
        }
        let secret_env = w
            .secret_env
            .ok_or_else(|| Problem::at(at("secret_env"), "is required"))?;
        let secret = env(&secret_env).filter(|s| !s.is_empty()).ok_or_else(|| {
            Problem::at(
                at("secret_env"),
                format!("environment variable {secret_env} is not set"),
            )
        })?;
        let events = match w.events {
            None => Event::WEBHOOK.to_vec(),
            Some(names) if names.is_empty() => {
                return Err(Problem::at(at("events"), "name at least one event"))
            }
            Some(names) => names
                .iter()
                .map(|name| {
                    Event::WEBHOOK
                        .into_iter()
                        .find(|e| e.name() == name)
                        .ok_or_else(|| {
                            let known: Vec<_> = Event::WEBHOOK.iter().map(|e| e.name()).collect();
                            Problem::at(
                                at("events"),
                                format!("{name:?} is not one of {}", known.join(", ")),
                            )
                        })
                })
                .collect::<Result<_, _>>()?,
        };
        if let Some(ids) = &w.profiles {
            if ids.is_empty() {
                return Err(Problem::at(at("profiles"), "name at least one profile"));
            }
            let known = |id: &String| profiles.contains_key(id) || (stored && is_name(id));
            if let Some(unknown) = ids.iter().find(|id| !known(id)) {
                return Err(Problem::at(
                    at("profiles"),
                    format!("there is no profile {unknown:?}"),
                ));
            }
        }
        out.push(WebhookConfig {
            url,
            secret_env,
            secret,
            events,
            profiles: w.profiles,
        });
    }
    Ok(out)
}

pub(super) fn email(
    raw: Option<RawEmail>,
    base: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<EmailConfig>, Problem> {
    let Some(raw) = raw else { return Ok(None) };
    let smtp_url = raw
        .smtp_url
        .ok_or_else(|| Problem::at("email.smtp_url", "is required"))?;
    let transport = transport(&smtp_url, base).map_err(|m| Problem::at("email.smtp_url", m))?;
    let from = raw
        .from
        .ok_or_else(|| Problem::at("email.from", "is required"))?;
    let from = mailbox(&from).map_err(|m| Problem::at("email.from", m))?;
    let password = match (&raw.username, &raw.password_env) {
        (Some(_), Some(name)) => Some(env(name).filter(|p| !p.is_empty()).ok_or_else(|| {
            Problem::at(
                "email.password_env",
                format!("environment variable {name} is not set"),
            )
        })?),
        (Some(_), None) => {
            return Err(Problem::at(
                "email.password_env",
                "is required with email.username",
            ))
        }
        (None, Some(_)) => {
            return Err(Problem::at(
                "email.username",
                "is required with email.password_env",
            ))
        }
        (None, None) => None,
    };
    if let Some(user) = &raw.username {
        if user.is_empty() || user.chars().any(char::is_control) {
            return Err(Problem::at("email.username", "must be one line of text"));
        }
    }
    Ok(Some(EmailConfig {
        transport,
        username: raw.username,
        password,
        from,
    }))
}

/// `smtp://host[:587][?tls=none]`, `smtps://host[:465]` or `file://dir` (relative to the
/// config file's folder).
fn transport(text: &str, base: &Path) -> Result<MailTransport, String> {
    if let Some(path) = text.strip_prefix("file://") {
        if path.is_empty() {
            return Err("file:// needs a folder, e.g. file:///var/mail/bookings".into());
        }
        return Ok(MailTransport::File(base.join(path)));
    }
    // Messages never repeat the URL: it may hold a password by mistake.
    let url = url::Url::parse(text).map_err(|_| "is not an smtp://, smtps:// or file:// URL")?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("put the user in email.username and the password's variable in email.password_env, not in the URL".into());
    }
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or("names no host")?
        .to_owned();
    if !matches!(url.path(), "" | "/") || url.fragment().is_some() {
        return Err("takes only a host, a port and ?tls=none".into());
    }
    let mut starttls = true;
    for (key, value) in url.query_pairs() {
        match (key.as_ref(), value.as_ref()) {
            ("tls", "none") if url.scheme() == "smtp" => starttls = false,
            ("tls", "required") if url.scheme() == "smtp" => starttls = true,
            _ => return Err("the only option is ?tls=none (smtp:// only)".into()),
        }
    }
    match url.scheme() {
        "smtp" => Ok(MailTransport::Smtp {
            port: url.port().unwrap_or(587),
            host,
            starttls,
        }),
        "smtps" => Ok(MailTransport::Smtps {
            port: url.port().unwrap_or(465),
            host,
        }),
        _ => Err("is not an smtp://, smtps:// or file:// URL".into()),
    }
}

/// `Name <address>` or `address`, as a mail header takes it.
fn mailbox(text: &str) -> Result<Mailbox, String> {
    if text.chars().any(char::is_control) {
        return Err("must be one line of text".into());
    }
    text.parse()
        .map_err(|_| format!("{text:?} is not an address like \"Bookings <bookings@example.com>\""))
}

/// A profile's `emails`, `notify` and `reminders`; `has_email` says whether `[email]` is set.
pub(super) fn profile(id: &str, p: &RawProfile, has_email: bool) -> Result<ProfileNotify, Problem> {
    let at = |key: &str| format!("profiles.{id}.{key}");
    let local = p.provider == ProviderKind::Local;
    let asked = match &p.emails {
        Some(RawEmails::Send(send)) => Some(*send),
        Some(RawEmails::Hosts(_)) if p.provider == ProviderKind::Vyte => None,
        Some(RawEmails::Hosts(_)) => {
            return Err(Problem::at(
                at("emails"),
                "must be true or false (a list of hosts is for provider \"vyte\")",
            ))
        }
        None => None,
    };
    let notify = p.notify.clone().unwrap_or_default();
    for address in &notify {
        mailbox(address).map_err(|m| Problem::at(at("notify"), m))?;
    }
    let reminders = p.reminders.clone().unwrap_or_default();
    for (i, minutes) in reminders.iter().enumerate() {
        if !(1..=43_200).contains(minutes) {
            return Err(Problem::at(
                at("reminders"),
                "each must be between 1 and 43200 minutes (30 days)",
            ));
        }
        if reminders[..i].contains(minutes) {
            return Err(Problem::at(
                at("reminders"),
                format!("{minutes} is listed twice"),
            ));
        }
    }
    let emails = asked.unwrap_or(local);
    let wants_email = asked == Some(true) || !notify.is_empty() || !reminders.is_empty();
    if wants_email && !has_email {
        let key = if asked == Some(true) {
            "emails"
        } else if notify.is_empty() {
            "reminders"
        } else {
            "notify"
        };
        return Err(Problem::at(
            at(key),
            "needs an [email] section to send from",
        ));
    }
    if !emails && (!notify.is_empty() || !reminders.is_empty()) {
        let key = if notify.is_empty() {
            "reminders"
        } else {
            "notify"
        };
        let hint = if local {
            "are emails, and this profile sets emails = false"
        } else {
            "are emails: set emails = true (a remote provider mails the visitor itself otherwise)"
        };
        return Err(Problem::at(at(key), hint));
    }
    Ok(ProfileNotify {
        emails: emails && has_email,
        notify,
        reminders,
    })
}

/// `server.public_url`: an http(s) origin, optionally with a path, no query; kept
/// without its trailing slash.
pub(super) fn public_url(text: Option<String>) -> Result<Option<String>, Problem> {
    let Some(text) = text else { return Ok(None) };
    let ok = url::Url::parse(&text).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https")
            && u.host_str().is_some()
            && u.query().is_none()
            && u.fragment().is_none()
            && u.username().is_empty()
    });
    if !ok {
        return Err(Problem::at(
            "server.public_url",
            format!("{text:?} is not an http(s) URL like \"https://book.example.com\""),
        ));
    }
    Ok(Some(text.trim_end_matches('/').to_owned()))
}

fn is_http_url(text: &str) -> bool {
    url::Url::parse(text)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

#[cfg(test)]
mod tests;
