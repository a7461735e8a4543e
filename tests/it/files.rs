//! Files in rooms: sniffed kinds, sealed on disk, served to members only, no orphans.

use image::ImageFormat;
use serde_json::json;

use crate::helpers::files::{files_under, image_bytes, multipart, post_multipart};
use crate::helpers::rooms::group_with;
use crate::helpers::{Client, TestApp, spawn_app, spawn_app_with};

const CANARY: &str = "file-plaintext-canary-Qm7Zr";

async fn upload(client: &Client, room: &str, filename: &str, bytes: &[u8]) -> reqwest::Response {
    post_multipart(
        client,
        &format!("/chat/room/{room}/files/"),
        &[("file", Some(filename), bytes), ("caption", None, b"")],
        true,
    )
    .await
}

fn stored_files(app: &TestApp) -> usize {
    files_under(&app.data_dir.path().join("files")).len()
}

/// The id of the newest file in `room`, from the JSON message the socket saw.
fn file_path(message: &serde_json::Value) -> String {
    message["file"].as_str().expect("a file URL").to_owned()
}

async fn wait_for_no_files(app: &TestApp) {
    for _ in 0..50 {
        if stored_files(app) == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "files were left on disk: {:?}",
        files_under(&app.data_dir.path().join("files"))
    );
}

#[tokio::test]
async fn each_allowed_kind_is_served_to_members_with_safe_headers_and_404_to_others() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let bob = app.signed_up("bob").await;
    let room = group_with(&ada, "Files", &[]).await;
    let mut ada_ws = ada.json_socket(&room).await;
    let mut pdf = b"%PDF-1.4\n".to_vec();
    pdf.extend_from_slice(CANARY.as_bytes());
    let mut zip = b"PK\x03\x04".to_vec();
    zip.extend_from_slice(CANARY.as_bytes());
    let kinds: Vec<(&str, Vec<u8>, &str, bool)> = vec![
        (
            "a.png",
            image_bytes(ImageFormat::Png, 40, 30),
            "image/png",
            true,
        ),
        (
            "b.jpg",
            image_bytes(ImageFormat::Jpeg, 500, 400),
            "image/jpeg",
            true,
        ),
        (
            "c.gif",
            image_bytes(ImageFormat::Gif, 20, 20),
            "image/gif",
            true,
        ),
        (
            "d.webp",
            image_bytes(ImageFormat::WebP, 20, 20),
            "image/webp",
            true,
        ),
        ("e.pdf", pdf, "application/pdf", false),
        ("f.zip", zip, "application/zip", false),
        (
            "notes é.txt",
            format!("hello {CANARY}\n").into_bytes(),
            "text/plain; charset=utf-8",
            false,
        ),
    ];
    for (name, bytes, mime, image) in &kinds {
        let response = upload(&ada, &room, name, bytes).await;
        assert_eq!(response.status(), 303, "{name} is accepted");
        let message = ada_ws.next_event("message").await["message"].clone();
        let url = file_path(&message);
        assert!(
            url.starts_with(&format!("/chat/room/{room}/files/")),
            "{url}"
        );

        let served = ada.get(&url).await;
        assert_eq!(served.status(), 200, "{name}");
        let headers = served.headers().clone();
        assert_eq!(headers["content-type"], *mime, "{name}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(
            headers["cache-control"]
                .to_str()
                .unwrap()
                .starts_with("private"),
            "{name}"
        );
        let disposition = headers["content-disposition"].to_str().unwrap().to_owned();
        let expected = if *image { "inline;" } else { "attachment;" };
        assert!(disposition.starts_with(expected), "{name}: {disposition}");
        assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
        assert_eq!(
            served.bytes().await.unwrap().as_ref(),
            bytes.as_slice(),
            "{name}"
        );

        let thumb = ada.get(&format!("{url}thumb/")).await;
        if *image {
            assert_eq!(thumb.status(), 200);
            assert_eq!(thumb.headers()["content-type"], "image/png");
            let png = thumb.bytes().await.unwrap();
            let decoded = image::load_from_memory(&png).expect("a thumbnail");
            assert!(decoded.width() <= 320 && decoded.height() <= 320);
        } else {
            assert_eq!(thumb.status(), 404, "{name} has no thumbnail");
        }

        assert_eq!(bob.get(&url).await.status(), 404, "a non-member");
        assert_eq!(app.client().get(&url).await.status(), 404, "a visitor");
    }
    assert_eq!(app.count_rows("files").await, 7);
    assert_eq!(
        app.count_rows("messages WHERE file_id IS NOT NULL").await,
        7
    );

    // A file id of another room answers 404 even to someone who may read both rooms.
    let page = ada.get_text(&format!("/chat/room/{room}/")).await;
    assert!(page.contains("data-role=\"file-image\""));
    assert!(page.contains("notes é.txt"));
    let other = ada.get("/chat/room/public-chat/files/1/").await;
    assert_eq!(other.status(), 404);
}

#[tokio::test]
async fn no_plaintext_of_a_file_is_on_disk_or_in_the_database() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let text = format!("secret notes {CANARY}\n");
    let response = upload(&ada, "public-chat", "plain.txt", text.as_bytes()).await;
    assert_eq!(response.status(), 303);
    assert_eq!(stored_files(&app), 1);
    for path in files_under(app.data_dir.path()) {
        let bytes = std::fs::read(&path).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(CANARY),
            "{} holds the plaintext",
            path.display()
        );
    }
}

#[tokio::test]
async fn a_file_message_reaches_another_members_socket_as_html_and_json() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let bob = app.signed_up("bob").await;
    let mut bob_json = bob.json_socket("public-chat").await;
    let mut bob_html = bob.websocket("public-chat", "").await.expect("connects");
    let png = image_bytes(ImageFormat::Png, 64, 64);
    let response = post_multipart(
        &ada,
        "/chat/room/public-chat/files/",
        &[
            ("file", Some("sunset.png"), &png),
            ("caption", None, b"look at this"),
        ],
        true,
    )
    .await;
    assert_eq!(response.status(), 303);
    let message = bob_json.next_event("message").await["message"].clone();
    assert_eq!(message["body"], "look at this");
    let url = file_path(&message);
    let html = bob_html.next_containing("file-image").await;
    assert!(
        html.contains("thumb&#x2f;") || html.contains("thumb/"),
        "{html}"
    );
    assert_eq!(bob.get(&url).await.status(), 200);
}

#[tokio::test]
async fn refused_uploads_say_why_and_store_nothing() {
    let app = spawn_app_with(|s| s.chat.max_upload_bytes = 4096).await;
    let ada = app.signed_up("ada").await;
    let path = "/chat/room/public-chat/files/";
    let mut corrupt = image_bytes(ImageFormat::Png, 30, 30);
    corrupt.truncate(60);
    let mut elf = b"\x7fELF\x02\x01\x01\0".to_vec();
    elf.extend_from_slice(&[0u8; 64]);
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("big.txt", vec![b'a'; 5000], 413, "too large"),
        ("empty.png", Vec::new(), 400, "empty"),
        (
            "page.png",
            b"<!DOCTYPE html><script>alert(1)</script>".to_vec(),
            415,
            "HTML",
        ),
        (
            "logo.png",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec(),
            415,
            "SVG",
        ),
        ("tool.png", elf, 415, "not accepted"),
        ("broken.png", corrupt, 422, "damaged"),
    ];
    for (name, bytes, status, reason) in cases {
        let response = upload(&ada, "public-chat", name, &bytes).await;
        assert_eq!(response.status(), status, "{name}");
        let body = response.text().await.unwrap();
        assert!(body.contains(reason), "{name}: {body}");
        assert_eq!(app.count_rows("files").await, 0, "{name}");
        assert_eq!(app.count_rows("messages").await, 0, "{name}");
        assert_eq!(stored_files(&app), 0, "{name}");
    }

    // A caption is a message: one over the message limit refuses the whole upload.
    let long_caption = "c".repeat(10_001);
    let response = post_multipart(
        &ada,
        path,
        &[
            ("file", Some("note.txt"), b"a plain note"),
            ("caption", None, long_caption.as_bytes()),
        ],
        true,
    )
    .await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("10000"));
    assert_eq!(app.count_rows("files").await, 0);
    assert_eq!(app.count_rows("messages").await, 0);
    assert_eq!(stored_files(&app), 0);

    // htmx gets 422 so it shows the reason in place.
    let token = ada.csrf_token("/profile/edit/").await;
    let (content_type, body) = multipart(&[("file", Some("x.png"), b"\x7fELF")]);
    let response = ada
        .http
        .post(ada.url(path))
        .header("Content-Type", content_type)
        .header("X-CSRF-Token", token)
        .header("HX-Request", "true")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("id=\"upload-status\"")
    );

    // A multipart post without the header is refused before anything is read.
    let text = format!("hello {CANARY}");
    let forged = post_multipart(
        &ada,
        path,
        &[("file", Some("a.txt"), text.as_bytes())],
        false,
    )
    .await;
    assert_eq!(forged.status(), 403);
    assert!(forged.text().await.unwrap().contains("CSRF"));

    // A visitor and a non-member cannot post into a room.
    let visitor = app.client();
    let (content_type, body) = multipart(&[("file", Some("a.txt"), b"hi")]);
    let refused = visitor
        .http
        .post(visitor.url(path))
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403, "a visitor has no CSRF token");
    let bob = app.signed_up("bob").await;
    let room = group_with(&ada, "Files", &[]).await;
    let response = upload(&bob, &room, "a.txt", b"hello").await;
    assert_eq!(response.status(), 404);

    assert_eq!(app.count_rows("files").await, 0);
    assert_eq!(app.count_rows("messages").await, 0);
    assert_eq!(stored_files(&app), 0);
}

#[tokio::test]
async fn deleting_the_message_or_the_room_deletes_its_files() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let mut ws = ada.json_socket("public-chat").await;
    let png = image_bytes(ImageFormat::Png, 400, 400);
    assert_eq!(
        upload(&ada, "public-chat", "a.png", &png).await.status(),
        303
    );
    let message = ws.next_event("message").await["message"].clone();
    assert_eq!(stored_files(&app), 2, "the file and its thumbnail");
    ws.send_json(json!({"type": "delete", "id": message["id"]}))
        .await;
    ws.next_event("message_deleted").await;
    assert_eq!(app.count_rows("files").await, 0);
    wait_for_no_files(&app).await;
    assert_eq!(ada.get(&file_path(&message)).await.status(), 404);

    let room = group_with(&ada, "Files", &[]).await;
    assert_eq!(
        upload(&ada, &room, "a.txt", b"some text").await.status(),
        303
    );
    assert_eq!(upload(&ada, &room, "b.png", &png).await.status(), 303);
    assert_eq!(stored_files(&app), 3);
    let deleted = ada
        .post_form(
            &format!("/chat/room/{room}/delete/"),
            &format!("/chat/room/{room}/"),
            &[],
        )
        .await;
    assert_eq!(deleted.status(), 303);
    assert_eq!(app.count_rows("files").await, 0);
    wait_for_no_files(&app).await;
    assert_eq!(app.count_rows("file_trash").await, 0);
}

#[tokio::test]
async fn sealed_file_parts_can_be_resealed_in_place_for_key_rotation() {
    use hearth::domain::Sealed;
    use hearth::storage::FileStore;
    use hearth::storage::sql::SqlStorage;

    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let png = image_bytes(ImageFormat::Png, 30, 30);
    assert_eq!(
        upload(&ada, "public-chat", "a.png", &png).await.status(),
        303
    );
    assert_eq!(
        upload(&ada, "public-chat", "b.txt", b"words")
            .await
            .status(),
        303
    );
    let storage = SqlStorage::connect(&format!("sqlite://{}", app.database_path().display()))
        .await
        .expect("connect")
        .with_data_dir(app.data_dir.path())
        .await
        .expect("data dir");
    assert_eq!(storage.sealed_file_parts_count().await.unwrap(), 3);
    let parts = storage.sealed_file_parts_after(0, 10).await.unwrap();
    let ids: Vec<i64> = parts.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, vec![2, 3, 4], "file 1 with its thumbnail, then file 2");
    assert_eq!(
        storage.sealed_file_parts_after(3, 10).await.unwrap().len(),
        1
    );
    let (part, old) = parts[0].clone();
    assert!(old.0.starts_with("gAAAAA"), "a Fernet token on disk");
    let new = Sealed("replacement".into());
    assert!(storage.reseal_file_part(part, &old, &new).await.unwrap());
    assert!(
        !storage.reseal_file_part(part, &old, &new).await.unwrap(),
        "the old value is gone: no second swap"
    );
    assert_eq!(storage.sealed_file_part(part).await.unwrap(), new);
    assert!(storage.sealed_file_part(99).await.is_err());
    assert_eq!(stored_files(&app), 3, "no temporary file left behind");
}

#[tokio::test]
async fn parts_whose_files_vanished_are_skipped_without_ending_the_listing_early() {
    use hearth::storage::FileStore;
    use hearth::storage::sql::SqlStorage;
    use sea_orm::{ConnectionTrait, Database, Statement};

    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let png = image_bytes(ImageFormat::Png, 30, 30);
    for (name, bytes) in [("a.png", &png[..]), ("b.txt", b"words")] {
        assert_eq!(upload(&ada, "public-chat", name, bytes).await.status(), 303);
    }
    // The first file and its thumbnail disappear from disk: a batch of one row then finds
    // nothing to return, which must not read as "nothing after" (nor loop for ever).
    let db = Database::connect(format!(
        "sqlite://{}?mode=ro",
        app.database_path().display()
    ))
    .await
    .expect("open db");
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT path, thumb_path FROM files WHERE id = 1",
        ))
        .await
        .expect("query")
        .expect("file 1");
    for column in ["path", "thumb_path"] {
        let name: String = row.try_get("", column).expect("name");
        std::fs::remove_file(app.data_dir.path().join("files").join(name)).expect("remove");
    }
    let storage = SqlStorage::connect(&format!("sqlite://{}", app.database_path().display()))
        .await
        .expect("connect")
        .with_data_dir(app.data_dir.path())
        .await
        .expect("data dir");
    let wait = std::time::Duration::from_secs(5);
    let first = tokio::time::timeout(wait, storage.sealed_file_parts_after(0, 1))
        .await
        .expect("answers")
        .expect("parts");
    let ids: Vec<i64> = first.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, vec![4], "file 2's part, past the vanished ones");
    let rest = tokio::time::timeout(wait, storage.sealed_file_parts_after(4, 1))
        .await
        .expect("answers")
        .expect("parts");
    assert!(rest.is_empty());
}
