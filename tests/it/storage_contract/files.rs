//! Files and avatars: what is stored comes back byte for byte, in its room only, and
//! sealed parts re-seal only from what they still are.

use hearth::domain::{FileId, NewFile, RoomId, Sealed};
use hearth::storage::{Storage, StorageError};

use super::{body, writer_and_public_room};

pub async fn a_file_message_keeps_its_file_and_thumbnail(storage: &dyn Storage) {
    let (ann, room) = writer_and_public_room(storage, "ann").await;
    let new = NewFile {
        room: room.id,
        uploader: ann.id,
        name: "notes – draft.txt".into(),
        mime: "text/plain".into(),
        size: 11,
        sealed: Sealed("sealed-file".into()),
        sealed_thumb: Some(Sealed("sealed-thumb".into())),
    };
    let message = storage
        .create_file_message(new, body("sealed-caption", 1))
        .await
        .expect("stored");
    assert_eq!(message.body, body("sealed-caption", 1));
    let file = message.file.expect("the message carries its file");
    assert_eq!(
        (
            file.name.as_str(),
            file.mime.as_str(),
            file.size,
            file.has_thumb
        ),
        ("notes – draft.txt", "text/plain", 11, true)
    );
    assert_eq!(file.room_name, room.name.as_str());
    assert_eq!(
        storage.file_by_id(room.id, file.id).await.expect("by id"),
        file
    );
    assert_eq!(
        storage
            .file_content(room.id, file.id, false)
            .await
            .expect("bytes"),
        Sealed("sealed-file".into())
    );
    assert_eq!(
        storage
            .file_content(room.id, file.id, true)
            .await
            .expect("thumb"),
        Sealed("sealed-thumb".into())
    );
    for (in_room, id) in [(RoomId(4242), file.id), (room.id, FileId(i64::MAX))] {
        assert!(matches!(
            storage.file_by_id(in_room, id).await,
            Err(StorageError::NotFound)
        ));
    }
    let orphan = NewFile {
        room: RoomId(4242),
        uploader: ann.id,
        name: "x".into(),
        mime: "text/plain".into(),
        size: 1,
        sealed: Sealed("x".into()),
        sealed_thumb: None,
    };
    assert!(matches!(
        storage.create_file_message(orphan, body("c", 1)).await,
        Err(StorageError::NotFound)
    ));

    // Key rotation's view: two parts, re-sealed only from what they still are.
    assert_eq!(storage.sealed_file_parts_count().await.expect("count"), 2);
    let parts = storage.sealed_file_parts_after(0, 10).await.expect("parts");
    assert_eq!(parts.len(), 2);
    let (part, sealed) = parts[0].clone();
    assert_eq!(storage.sealed_file_part(part).await.expect("part"), sealed);
    let resealed = Sealed("resealed".into());
    assert!(
        !storage
            .reseal_file_part(part, &Sealed("stale".into()), &resealed)
            .await
            .expect("compare")
    );
    assert!(
        storage
            .reseal_file_part(part, &sealed, &resealed)
            .await
            .expect("swap")
    );
    assert_eq!(
        storage.sealed_file_part(part).await.expect("part"),
        resealed
    );

    // Deleting the message deletes its file; the garbage goes from disk once.
    storage
        .delete_message(room.id, message.id)
        .await
        .expect("delete");
    assert!(matches!(
        storage.file_content(room.id, file.id, false).await,
        Err(StorageError::NotFound)
    ));
    // A background sweep may have been first: at most the file and its thumbnail.
    assert!(storage.collect_file_garbage().await.expect("collect") <= 2);
    assert_eq!(
        storage.collect_file_garbage().await.expect("again"),
        0,
        "nothing is left to collect"
    );
    assert_eq!(storage.sealed_file_parts_count().await.expect("count"), 0);
}

pub async fn an_avatar_is_replaced_and_read_back(storage: &dyn Storage) {
    let (ann, _) = writer_and_public_room(storage, "ann").await;
    let image: Vec<u8> = (0..=255).collect();
    let first = storage
        .replace_avatar(ann.id, image.clone(), "png")
        .await
        .expect("avatar");
    assert!(first.ends_with(".png"), "{first}");
    assert_eq!(storage.avatar_content(&first).await.expect("bytes"), image);
    assert_eq!(
        storage.user_by_id(ann.id).await.expect("ann").avatar,
        Some(first.clone())
    );
    let second = storage
        .replace_avatar(ann.id, vec![1, 2, 3], "webp")
        .await
        .expect("replaced");
    assert_ne!(first, second);
    assert!(matches!(
        storage.avatar_content(&first).await,
        Err(StorageError::NotFound)
    ));
    assert_eq!(
        storage.avatar_content(&second).await.expect("bytes"),
        [1, 2, 3]
    );
    assert!(matches!(
        storage
            .replace_avatar(hearth::domain::UserId(999), vec![1], "png")
            .await,
        Err(StorageError::NotFound)
    ));
}
