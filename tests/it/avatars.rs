use image::ImageFormat;

use crate::helpers::api::access_token;
use crate::helpers::files::{files_under, image_bytes, post_multipart};
use crate::helpers::{Client, TestApp, spawn_app, spawn_app_with};

const EXIF_CANARY: &str = "exif-avatar-canary-Zt81";

fn avatars(app: &TestApp) -> Vec<std::path::PathBuf> {
    files_under(&app.data_dir.path().join("avatars"))
}

async fn upload_avatar(client: &Client, name: &str, bytes: &[u8]) -> reqwest::Response {
    post_multipart(
        client,
        "/profile/avatar/",
        &[("avatar", Some(name), bytes)],
        true,
    )
    .await
}

/// The `avatar` field of `username` in the API, through a token of `client`'s account.
async fn api_avatar(app: &TestApp, login: &str) -> serde_json::Value {
    let access = access_token(app, login).await;
    let users: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/users/", app.address))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = users["results"].as_array().expect("results");
    list.iter()
        .find(|u| u["username"] == login)
        .expect("listed")["avatar"]
        .clone()
}

/// A JPEG whose APP1 (EXIF) segment carries the canary, inserted after SOI.
fn jpeg_with_exif() -> Vec<u8> {
    let jpeg = image_bytes(ImageFormat::Jpeg, 300, 200);
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(EXIF_CANARY.as_bytes());
    let length = u16::try_from(payload.len() + 2).unwrap();
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

#[tokio::test]
async fn an_avatar_is_square_stripped_public_and_replaces_the_old_one() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    assert_eq!(api_avatar(&app, "ada").await, serde_json::Value::Null);

    let jpeg = jpeg_with_exif();
    assert!(String::from_utf8_lossy(&jpeg).contains(EXIF_CANARY));
    let response = upload_avatar(&ada, "me.jpg", &jpeg).await;
    assert_eq!(response.status(), 303);
    let first = avatars(&app);
    assert_eq!(first.len(), 1);
    let url = api_avatar(&app, "ada").await;
    let url = url.as_str().expect("an avatar URL").to_owned();
    assert!(url.starts_with("/media/avatars/"), "{url}");

    // Public, a square PNG, and without the metadata it came with.
    let served = app.client().get(&url).await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.headers()["x-content-type-options"], "nosniff");
    let bytes = served.bytes().await.unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains(EXIF_CANARY));
    let image = image::load_from_memory(&bytes).unwrap();
    assert_eq!((image.width(), image.height()), (256, 256));
    let on_disk = std::fs::read(&first[0]).unwrap();
    assert!(!String::from_utf8_lossy(&on_disk).contains(EXIF_CANARY));

    let profile = ada.get_text("/profile/ada/").await;
    assert!(
        profile.contains(&url.replace('/', "&#x2f;")),
        "the profile shows it"
    );

    // Replacing deletes the old file.
    let png = image_bytes(ImageFormat::Png, 100, 300);
    assert_eq!(upload_avatar(&ada, "new.png", &png).await.status(), 303);
    let second = avatars(&app);
    assert_eq!(second.len(), 1);
    assert_ne!(first, second);
    assert_eq!(app.client().get(&url).await.status(), 404);
    let new_url = api_avatar(&app, "ada").await;
    assert_ne!(new_url.as_str(), Some(url.as_str()));
}

#[tokio::test]
async fn a_bad_avatar_is_refused_and_nothing_changes() {
    let app = spawn_app_with(|s| s.accounts.max_avatar_bytes = 8 * 1024).await;
    let ada = app.signed_up("ada").await;
    let png = image_bytes(ImageFormat::Png, 50, 50);
    assert_eq!(upload_avatar(&ada, "ok.png", &png).await.status(), 303);
    let before = avatars(&app);
    let url = api_avatar(&app, "ada").await;

    let mut corrupt = png.clone();
    corrupt.truncate(70);
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "doc.png",
            b"%PDF-1.4 not an image".to_vec(),
            415,
            "not an image",
        ),
        (
            "page.png",
            b"<html><body>hi</body></html>".to_vec(),
            415,
            "HTML",
        ),
        ("notes.png", b"just some text".to_vec(), 415, "not an image"),
        ("broken.png", corrupt, 422, "damaged"),
        ("huge.png", vec![0x89; 9 * 1024], 413, "too large"),
        ("empty.png", Vec::new(), 400, "empty"),
    ];
    for (name, bytes, status, reason) in cases {
        let response = upload_avatar(&ada, name, &bytes).await;
        assert_eq!(response.status(), status, "{name}");
        let body = response.text().await.unwrap();
        assert!(body.contains(reason), "{name}: {body}");
        assert_eq!(avatars(&app), before, "{name}");
        assert_eq!(api_avatar(&app, "ada").await, url, "{name}");
    }
    let forged = post_multipart(
        &ada,
        "/profile/avatar/",
        &[("avatar", Some("a.png"), &png)],
        false,
    )
    .await;
    assert_eq!(forged.status(), 403);
    assert_eq!(avatars(&app), before);
}

#[tokio::test]
async fn deleting_an_account_deletes_its_avatar_file() {
    let app = spawn_app().await;
    let _admin = app.signed_up("ada").await;
    let bob = app.signed_up("bob").await;
    let png = image_bytes(ImageFormat::Png, 50, 50);
    assert_eq!(upload_avatar(&bob, "me.png", &png).await.status(), 303);
    assert_eq!(avatars(&app).len(), 1);
    let deleted = bob
        .post_form(
            "/accounts/settings/delete/",
            "/accounts/settings/",
            &[("delete_password", crate::helpers::PASSWORD)],
        )
        .await;
    assert_eq!(deleted.status(), 303);
    assert_eq!(app.count_rows("users WHERE username = 'bob'").await, 0);
    for _ in 0..50 {
        if avatars(&app).is_empty() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "the deleted account's avatar is still on disk: {:?}",
        avatars(&app)
    );
}

#[tokio::test]
async fn an_uploaded_avatar_shows_beside_ones_messages() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let png = image_bytes(ImageFormat::Png, 64, 64);
    assert_eq!(upload_avatar(&ada, "me.png", &png).await.status(), 303);
    let url = api_avatar(&app, "ada").await;
    let url = url.as_str().expect("an avatar URL").to_owned();
    let mut page_socket = ada.websocket("public-chat", "").await.expect("connects");
    let mut socket = ada.json_socket("public-chat").await;
    socket
        .send_json(serde_json::json!({ "body": "hello" }))
        .await;
    socket.next_event("message").await;
    // minijinja escapes '/' in attributes as &#x2f;.
    let img = format!(
        r#"<img src="{}" alt="" class="avatar""#,
        url.replace('/', "&#x2f;")
    );
    let fragment = page_socket.next_containing("hello").await;
    assert!(fragment.contains(&img), "live: {fragment}");
    assert!(
        ada.get_text("/chat/").await.contains(&img),
        "and in the page"
    );
}
