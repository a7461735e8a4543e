//! Files in real headless Chromium: a picked image and a dropped text file reach the
//! other person's page live.

use image::ImageFormat;
use serde_json::json;

use crate::helpers::browser::Browser;
use crate::helpers::files::image_bytes;
use crate::helpers::spawn_app;

#[tokio::test]
async fn an_image_sent_by_one_person_shows_on_the_others_page() {
    let app = spawn_app().await;
    let (ada, bram) = Browser::ada_and_bram_connected(&app.address).await;

    // Ada picks an image with the file input and presses Upload.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("sunset.png");
    std::fs::write(&path, image_bytes(ImageFormat::Png, 640, 480)).expect("write");
    ada.find("#id_file")
        .await
        .send_keys(&path.display().to_string())
        .await
        .expect("file chosen");
    ada.click("#upload-form button[type=submit]").await;

    // Bram's page shows it without a reload, as a loaded thumbnail linking to the file.
    bram.wait_for_selector("#messages img[data-role=file-image]")
        .await;
    let loaded = bram
        .wait_js(
            "the thumbnail loads",
            "var img = document.querySelector('#messages img[data-role=file-image]'); \
             return img && img.complete && img.naturalWidth > 0 ? [img.naturalWidth, img.naturalHeight, img.parentElement.getAttribute('href')] : null;",
            vec![],
        )
        .await;
    assert_eq!(loaded[0], json!(320));
    assert_eq!(loaded[1], json!(240));
    assert!(loaded[2].as_str().unwrap_or_default().contains("/files/"));
    // Ada's form is emptied for the next file.
    ada.wait_js(
        "the upload form is reset",
        "return document.getElementById('id_file').files.length === 0;",
        vec![],
    )
    .await;

    // Bram drops a text file on the messages; Ada gets a download link with its name.
    bram.js(
        "var dt = new DataTransfer(); \
         dt.items.add(new File(['plain words\\n'], 'notes.txt', {type: 'text/plain'})); \
         document.getElementById('messages').dispatchEvent( \
           new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true})); \
         return true;",
        vec![],
    )
    .await;
    ada.wait_js(
        "the dropped file's link shows",
        "var a = document.querySelector('#messages a[data-role=file-link]'); \
         return !!a && a.textContent.indexOf('notes.txt') >= 0;",
        vec![],
    )
    .await;
    assert!(ada.console_errors().await.is_empty());
    assert!(bram.console_errors().await.is_empty());
    tokio::join!(ada.close(), bram.close());
}

#[tokio::test]
async fn an_avatar_uploaded_on_the_edit_page_shows_on_the_profile() {
    let app = spawn_app().await;
    let ada = Browser::launch().await;
    ada.sign_up(&app.address, "ada").await;
    ada.goto(&app.address, "/profile/edit/").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("me.jpg");
    std::fs::write(&path, image_bytes(ImageFormat::Jpeg, 300, 200)).expect("write");
    ada.find("#id_avatar")
        .await
        .send_keys(&path.display().to_string())
        .await
        .expect("file chosen");
    ada.click("button[hx-post='/profile/avatar/']").await;
    ada.wait_for_path("/profile/ada/").await;
    let size = ada
        .wait_js(
            "the avatar loads",
            "var img = document.querySelector('#profile-card img[data-role=avatar]'); \
             return img && img.complete && img.naturalWidth > 0 ? [img.naturalWidth, img.naturalHeight] : null;",
            vec![],
        )
        .await;
    assert_eq!(size, json!([256, 256]));
    assert!(ada.console_errors().await.is_empty());
    ada.close().await;
}
