//! Mail about what someone missed. A mention or DM noted for a person (by `reach`) and
//! still unread `notifications.email_after_minutes` after it was sent is summarised in one
//! mail, at most one per person per that period (and per minute), with links to each
//! message. By default
//! the mail names sender and room but not the words: bodies are encrypted at rest, and a
//! mail carries whatever it holds out in clear. Every mail has an unsubscribe link that
//! works without logging in.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use minijinja::context;
use serde::Serialize;
use sha2::Sha256;

use super::bodies;
use crate::crypto::Sealer;
use crate::domain::{MessageId, Room, RoomId, RoomKind, UserId};
use crate::frontend::present::templates::Templates;
use crate::frontend::present::view::room_page;
use crate::mail::Mailer;
use crate::storage::{Storage, StorageError, StorageResult};

/// Noted messages read per check; a backlog is worked off over several checks.
const BATCH: u64 = 2000;
/// Messages one mail lists; it counts the rest.
const LISTED: usize = 20;
/// Characters of a message's words a mail shows, when the person asked for them.
const WORDS: usize = 280;

/// The unsubscribe link's token for `user`: an HMAC of their id under the server's secret,
/// so the link needs no row and no log-in, and cannot be made for anyone else.
pub fn unsubscribe_token(secret: &[u8], user: UserId) -> String {
    URL_SAFE_NO_PAD.encode(unsubscribe_mac(secret, user).finalize().into_bytes())
}

/// Whether `token` is `user`'s unsubscribe token, compared in constant time.
pub fn unsubscribe_token_matches(secret: &[u8], user: UserId, token: &str) -> bool {
    URL_SAFE_NO_PAD
        .decode(token)
        .is_ok_and(|given| unsubscribe_mac(secret, user).verify_slice(&given).is_ok())
}

fn unsubscribe_mac(secret: &[u8], user: UserId) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap_or_else(|_| {
        unreachable!("HMAC takes a key of any length");
    });
    mac.update(format!("missed-mail-unsubscribe:{}", user.0).as_bytes());
    mac
}

/// Whether someone last mailed at `last` may be mailed at `now`.
pub fn due(last: Option<DateTime<Utc>>, now: DateTime<Utc>, period: chrono::Duration) -> bool {
    last.is_none_or(|last| now - last >= period)
}

#[derive(Serialize)]
struct Line {
    author: String,
    room: String,
    direct: bool,
    sent: String,
    link: String,
    words: Option<String>,
}

pub struct MissedMail {
    pub storage: Arc<dyn Storage>,
    pub sealer: Arc<Sealer>,
    pub mailer: Arc<Mailer>,
    pub templates: Arc<Templates>,
    /// `scheme://host[:port]` links start with.
    pub origin: String,
    /// Signs unsubscribe links.
    pub secret: Vec<u8>,
    /// How long a message stays unread before it is mailed about; also the least time
    /// between two mails to one person (at least a minute).
    pub after: chrono::Duration,
}

impl MissedMail {
    /// Checks for what is due once a minute (every second when `after` is zero), on the
    /// current runtime, supervised.
    pub fn start(self: Arc<Self>) {
        let every = if self.after.is_zero() {
            Duration::from_secs(1)
        } else {
            Duration::from_secs(60)
        };
        crate::supervise::spawn("missed mail", move || {
            let mail = Arc::clone(&self);
            async move {
                let mut ticks = tokio::time::interval(every);
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    ticks.tick().await;
                    if let Err(error) = mail.send_due(Utc::now()).await {
                        tracing::warn!(%error, "missed-message mail not checked");
                    }
                }
            }
        });
    }

    /// The least time between two mails to one person: `after`, and never under a minute.
    fn period(&self) -> chrono::Duration {
        self.after.max(chrono::Duration::minutes(1))
    }

    /// Mails everyone something noted for them is due for; returns how many were mailed.
    pub async fn send_due(&self, now: DateTime<Utc>) -> StorageResult<usize> {
        let noted = self.storage.missed_before(now - self.after, BATCH).await?;
        let mut by_person: Vec<(UserId, Vec<(RoomId, MessageId)>)> = Vec::new();
        for (user, room, message) in noted {
            match by_person.last_mut() {
                Some((last, messages)) if *last == user => messages.push((room, message)),
                _ => by_person.push((user, vec![(room, message)])),
            }
        }
        let mut mailed = 0;
        let mut rooms = HashMap::new();
        for (user, messages) in by_person {
            if self.mail_one(user, &messages, now, &mut rooms).await? {
                mailed += 1;
            }
        }
        Ok(mailed)
    }

    async fn mail_one(
        &self,
        user: UserId,
        messages: &[(RoomId, MessageId)],
        now: DateTime<Utc>,
        rooms: &mut HashMap<RoomId, Room>,
    ) -> StorageResult<bool> {
        let ids: Vec<MessageId> = messages.iter().map(|(_, id)| *id).collect();
        let preferences = self.storage.mail_preferences(user).await?;
        let person = match self.storage.user_by_id(user).await {
            Ok(person) => Some(person),
            Err(StorageError::NotFound) => None,
            Err(error) => return Err(error),
        };
        let Some(person) =
            person.filter(|p| preferences.email_missed && p.is_active && !p.email.is_empty())
        else {
            self.storage.forget_missed(user, ids).await?;
            return Ok(false);
        };
        if !due(preferences.last_emailed, now, self.period()) {
            return Ok(false);
        }
        let mut lines = Vec::new();
        for (room, id) in messages.iter().take(LISTED) {
            let room = match rooms.get(room) {
                Some(room) => room.clone(),
                None => {
                    let found = self.storage.room_by_id(*room).await?;
                    rooms.insert(found.id, found.clone());
                    found
                }
            };
            let message = match self.storage.message_by_id(room.id, *id).await {
                Ok(message) => message,
                Err(StorageError::NotFound) => continue,
                Err(error) => return Err(error),
            };
            let words = preferences.email_text.then(|| {
                bodies::open(&self.sealer, &message.body)
                    .map(|text| text.words.chars().take(WORDS).collect())
                    .unwrap_or_default()
            });
            lines.push(Line {
                author: message
                    .author
                    .as_ref()
                    .map_or_else(|| "someone".to_owned(), |a| a.shown_name().to_owned()),
                room: room.title.clone(),
                direct: room.kind == RoomKind::Private,
                sent: message.created.format("%Y-%m-%d %H:%M UTC").to_string(),
                link: format!("{}{}#message-{}", self.origin, room_page(&room), id.0),
                words,
            });
        }
        if lines.is_empty() {
            self.storage.forget_missed(user, ids).await?;
            return Ok(false);
        }
        let count = messages.len();
        let body = self
            .templates
            .render(
                "mail/missed.txt",
                context! {
                    username => &person.username,
                    lines => minijinja::Value::from(minijinja::value::Serde(&lines)),
                    more => count.saturating_sub(LISTED),
                    settings => format!("{}/accounts/settings/#mail", self.origin),
                    unsubscribe => format!(
                        "{}/notifications/unsubscribe/{}/{}/",
                        self.origin,
                        user.0,
                        unsubscribe_token(&self.secret, user)
                    ),
                },
            )
            .map_err(|e| StorageError::Internal(e.to_string()))?;
        let subject = match count {
            1 => "You have an unread message on Hearth".to_owned(),
            n => format!("You have {n} unread messages on Hearth"),
        };
        if let Err(error) = self.mailer.send(&person.email, &subject, body).await {
            // Kept: the next check tries again.
            tracing::warn!(%error, %user, "missed-message mail not sent");
            return Ok(false);
        }
        self.storage.forget_missed(user, ids).await?;
        self.storage.mark_emailed(user, now).await?;
        tracing::info!(%user, messages = count, "missed-message mail sent");
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_mail_per_period_at_most() {
        let now = Utc::now();
        let period = chrono::Duration::minutes(15);
        assert!(due(None, now, period));
        assert!(!due(Some(now - chrono::Duration::minutes(14)), now, period));
        assert!(due(Some(now - period), now, period));
        assert!(due(Some(now), now, chrono::Duration::zero()));
    }

    #[test]
    fn an_unsubscribe_token_is_the_persons_own_under_this_secret() {
        let token = unsubscribe_token(b"secret", UserId(7));
        assert!(unsubscribe_token_matches(b"secret", UserId(7), &token));
        assert!(!unsubscribe_token_matches(b"secret", UserId(8), &token));
        assert!(!unsubscribe_token_matches(b"other", UserId(7), &token));
        assert!(!unsubscribe_token_matches(
            b"secret",
            UserId(7),
            "not base64!"
        ));
        assert!(!unsubscribe_token_matches(b"secret", UserId(7), ""));
    }
}
