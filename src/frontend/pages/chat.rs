//! `/chat/` and `/chat/room/{name}/`: a room's recent history, who is online, the live
//! message form, and the list of one's rooms beside it with unread counts.
//!
//! Unread counts: opening a room marks everything on the page read; an open socket marks
//! what it relays (at most every 2 s, see ws/session.rs). The public room has no
//! memberships, so it has no read mark and shows no unread count.

use std::collections::HashMap;

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::{Value, context};
use serde::Serialize;

use crate::domain::{NotificationLevel, Room, RoomId, RoomKind, RoomName, StoredMessage, User};
use crate::frontend::auth::CurrentUser;
use crate::frontend::error::AppError;
use crate::frontend::layout::base_context;
use crate::frontend::present::events::online;
use crate::frontend::state::AppState;
use crate::storage::RoomSummary;

/// `GET /chat/`
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn public_chat_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    render_public_chat(&request, &state, &session, &user).await
}

/// `GET /chat/room/{name}/`
#[tracing::instrument(skip_all, fields(user = %user.id, room = %name))]
pub async fn room_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    name: web::Path<String>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let room = state.chat.room_for(&name, &user).await?;
    render_room(&request, &state, &session, &user, room).await
}

pub async fn render_public_chat(
    request: &HttpRequest,
    state: &AppState,
    session: &Session,
    user: &User,
) -> Result<HttpResponse, AppError> {
    let room = state.storage.room_by_name(&RoomName::public()).await?;
    render_room(request, state, session, user, room).await
}

async fn render_room(
    request: &HttpRequest,
    state: &AppState,
    session: &Session,
    user: &User,
    room: Room,
) -> Result<HttpResponse, AppError> {
    let page = state.settings.chat.history;
    // One more than a page says whether older messages exist, for the history sentinel.
    let mut recent = state
        .storage
        .messages_before(room.id, None, page + 1)
        .await?;
    let more = recent.len() as u64 > page;
    recent.truncate(page as usize);
    // The list is read before this visit marks the room read: its count says where the
    // "new since your last visit" line goes; the page then shows the room as read.
    let mut rooms = room_links(state, user).await?;
    let here = rooms
        .iter_mut()
        .find(|link| link.name == room.name.as_str());
    let unread = here.as_ref().map_or(0, |link| link.unread);
    let (title, peer, level) = here.map_or_else(
        || {
            (
                room.title.clone(),
                None,
                NotificationLevel::default().as_str(),
            )
        },
        |link| {
            link.unread = 0;
            link.mentions = 0;
            (link.title.clone(), link.peer.clone(), link.level)
        },
    );
    // The public room is in nobody's list: its level is looked up on its own.
    let level = if room.kind == RoomKind::Public {
        state
            .storage
            .notification_levels(user.id)
            .await?
            .into_iter()
            .find_map(|(id, level)| (id == room.id).then_some(level))
            .unwrap_or_default()
            .as_str()
    } else {
        level
    };
    // Marking read is a write: done on the request only when something was unread, so
    // the count the next page reads is right. The public room keeps no counts; its mark
    // only cancels missed-message mail, so it goes with the sockets' batched marks.
    if let Some(newest) = recent.first() {
        if room.kind == RoomKind::Public {
            state.chat.mark_read(room.id, user.id, newest.id);
        } else if unread > 0 {
            state.storage.mark_read(room.id, user.id, newest.id).await?;
        }
    }
    let first_new = first_unread(&recent, user, unread);
    let messages = state.chat.open_all(recent.iter().rev());
    let presence = state.hub.presence(room.id);
    let context = context! {
        room => context! {
            name => room.name.as_str(),
            title => title,
            kind => room.kind.as_str(),
            peer => peer,
            level => level,
        },
        levels => notification_choices(),
        first_new => first_new,
        room_admin => room.admin == Some(user.id),
        rooms => Value::from(minijinja::value::Serde(&rooms)),
        current => room.name.as_str(),
        messages => Value::from(minijinja::value::Serde(&messages)),
        more => more,
        before => recent.last().map(|m| m.id.0),
        online => online(&presence),
        online_total => presence.online_total,
        ..base_context(session, Some(user))?
    };
    state.templates.page(request, "pages/chat.html", context)
}

/// The id of the oldest of the `unread` newest messages by others in `recent` (newest
/// first): where "new since your last visit" goes. The oldest on the page when there are
/// more unread than the page holds.
fn first_unread(recent: &[StoredMessage], user: &User, unread: u64) -> Option<i64> {
    let unread = usize::try_from(unread).ok().filter(|n| *n > 0)?;
    let mut by_others = recent
        .iter()
        .filter(|m| m.author.as_ref().is_none_or(|a| a.id != user.id));
    match by_others.nth(unread - 1) {
        Some(message) => Some(message.id.0),
        // More unread than the page holds: they begin before it.
        None => recent.last().map(|m| m.id.0),
    }
}

/// A room in the sidebar.
#[derive(Debug, Serialize)]
pub struct RoomLink {
    name: String,
    title: String,
    kind: &'static str,
    /// For a private room, the other person's username.
    peer: Option<String>,
    /// Messages by others since the person last read the room.
    unread: u64,
    /// What of this room reaches the person when they are not looking
    /// ([`NotificationLevel`]'s name).
    level: &'static str,
    /// Of those, how many mention the person.
    mentions: u64,
}

/// `user`'s rooms, newest activity first, each with its unread count: two queries for
/// the whole list, whatever its length.
pub async fn room_links(state: &AppState, user: &User) -> Result<Vec<RoomLink>, AppError> {
    let unread: HashMap<RoomId, u64> = state
        .storage
        .unread_counts(user.id)
        .await?
        .into_iter()
        .collect();
    let mentions: HashMap<RoomId, u64> = state
        .storage
        .unread_mentions(user.id)
        .await?
        .into_iter()
        .collect();
    let levels: HashMap<RoomId, NotificationLevel> = state
        .storage
        .notification_levels(user.id)
        .await?
        .into_iter()
        .collect();
    Ok(state
        .storage
        .rooms_of(user.id)
        .await?
        .iter()
        .map(|summary| {
            let mut link = RoomLink::from(summary);
            link.unread = unread.get(&summary.room.id).copied().unwrap_or(0);
            link.mentions = mentions.get(&summary.room.id).copied().unwrap_or(0);
            link.level = levels
                .get(&summary.room.id)
                .copied()
                .unwrap_or_default()
                .as_str();
            link
        })
        .collect())
}

impl RoomLink {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn title(&self) -> &str {
        &self.title
    }
}

impl From<&RoomSummary> for RoomLink {
    fn from(summary: &RoomSummary) -> Self {
        let title = match (&summary.room.kind, &summary.peer_name) {
            (RoomKind::Private, Some(name)) => name.clone(),
            _ => summary.room.title.clone(),
        };
        Self {
            name: summary.room.name.as_str().to_owned(),
            title,
            kind: summary.room.kind.as_str(),
            peer: summary.peer.clone(),
            unread: 0,
            mentions: 0,
            level: NotificationLevel::default().as_str(),
        }
    }
}

/// The levels a person may choose for a room, as the room's bell menu lists them.
pub fn notification_choices() -> Vec<Value> {
    NotificationLevel::ALL
        .iter()
        .map(|level| context! { value => level.as_str(), label => level.label() })
        .collect()
}
