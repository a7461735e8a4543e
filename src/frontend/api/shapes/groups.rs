//! `/api/groups/`: a room as programs see it, and the bodies that create and change one.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::pages::Page;
use crate::domain::{Room, RoomKind, UserId};

/// A room: `name` is the slug of URLs and `/ws/chatroom/{name}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupOut {
    id: i64,
    name: String,
    title: String,
    kind: GroupKind,
    /// The admin's user id, or null.
    #[schema(required = true)]
    admin: Option<i64>,
    /// The members' user ids.
    members: Vec<i64>,
    created: DateTime<Utc>,
}

impl GroupOut {
    /// `room` with its `members` (which the caller looks up: storage is not this
    /// module's business).
    pub fn new(room: Room, members: impl IntoIterator<Item = UserId>) -> Self {
        Self {
            id: room.id.0,
            name: room.name.as_str().to_owned(),
            title: room.title,
            kind: room.kind.into(),
            admin: room.admin.map(|a| a.0),
            members: members.into_iter().map(|id| id.0).collect(),
            created: room.created,
        }
    }
}

/// What kind of room: everyone's, a group run by its admin, or two people's.
// Its own type rather than `RoomKind` so the domain need not derive `ToSchema`; it
// serialises as `RoomKind::as_str` writes.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum GroupKind {
    Public,
    Group,
    Private,
}

impl From<RoomKind> for GroupKind {
    fn from(kind: RoomKind) -> Self {
        match kind {
            RoomKind::Public => Self::Public,
            RoomKind::Group => Self::Group,
            RoomKind::Private => Self::Private,
        }
    }
}

// DRF's page-number envelope of rooms, named for the document like `UserPage`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
pub struct GroupPage(#[schema(inline)] pub Page<GroupOut>);

/// `POST /api/groups/`'s body. The handler reads the JSON field by field (for DRF's
/// per-field errors) into this type; `members` then exist.
#[derive(Debug, ToSchema)]
pub struct GroupCreate {
    pub title: String,
    /// User ids to add besides the caller; may be left out, not null.
    #[schema(value_type = Option<Vec<i64>>, nullable = false)]
    pub members: Option<Vec<UserId>>,
}

/// `PUT /api/groups/{id}/`'s body: either field or neither, read like `GroupCreate`.
#[derive(Debug, ToSchema)]
pub struct GroupUpdate {
    /// May be left out, not null.
    #[schema(nullable = false)]
    pub title: Option<String>,
    /// The complete new list of member ids; may be left out, not null.
    #[schema(value_type = Option<Vec<i64>>, nullable = false)]
    pub members: Option<Vec<UserId>>,
}
