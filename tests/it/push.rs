//! Web Push: each device's subscription is kept, listed and removable in settings; a
//! mention or DM reaches the devices of someone with no socket open, encrypted so only
//! their browser opens it and signed with the server's VAPID key; a gone subscription is
//! forgotten; a hanging push service delays nothing; bad subscriptions store nothing.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value as Json, json};
use web_push_native::jwt_simple::prelude::*;

use crate::helpers::push::{Answer, Device, PushService};
use crate::helpers::rooms::{dm_room, say};
use crate::helpers::{Client, TestApp, spawn_app_with};

async fn app_pushing_to(service: &PushService) -> TestApp {
    let origin = service.origin.clone();
    spawn_app_with(move |settings| {
        settings.notifications.push_services = vec![origin];
    })
    .await
}

async fn subscribe(client: &Client, body: &Json) -> reqwest::Response {
    let token = client.csrf_token("/accounts/settings/").await;
    client
        .http
        .post(client.url("/accounts/settings/push/"))
        .header("X-CSRF-Token", token)
        .header(
            "User-Agent",
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        )
        .json(body)
        .send()
        .await
        .expect("POST")
}

/// The VAPID public key the settings page hands the browser.
async fn page_key(client: &Client) -> String {
    let page = client.get_text("/accounts/settings/").await;
    let re = regex::Regex::new(r#"data-push-key="([A-Za-z0-9_-]+)""#).expect("regex");
    re.captures(&page).expect("a push key on the page")[1].to_owned()
}

#[tokio::test]
async fn a_mention_and_a_dm_reach_an_offline_persons_devices_encrypted_and_signed() {
    let mut service = PushService::start().await;
    let app = app_pushing_to(&service).await;
    let ada = app.signed_up("ada").await;
    let bram = app.signed_up("bram").await;
    let phone = Device::new(format!("{}/push/ada-phone", service.origin));
    let response = subscribe(&ada, &phone.json()).await;
    assert_eq!(response.status(), 200);
    let list = response.text().await.expect("list");
    assert!(list.contains("Firefox on Linux"), "{list}");
    assert!(
        ada.get_text("/accounts/settings/")
            .await
            .contains("data-push-device=")
    );

    // Ada has no socket open: Bram's mention reaches her phone.
    say(&bram, "public-chat", "@ada the kettle is on").await;
    let delivered = service.next().await;
    assert_eq!(delivered.path, "/push/ada-phone");
    assert_eq!(delivered.headers["content-encoding"], "aes128gcm");
    assert!(delivered.headers["ttl"].parse::<u64>().expect("ttl") > 0);
    let opened = phone.open(&delivered);
    assert_eq!(opened["title"], "bram in Public chat");
    assert_eq!(opened["body"], "mentioned you");
    assert_eq!(opened["url"], "/chat/");
    assert!(
        !String::from_utf8_lossy(&delivered.body).contains("kettle")
            && !opened.to_string().contains("kettle"),
        "the words never leave the server"
    );

    // Signed with the key the page subscribes with, for this push service.
    let key = page_key(&ada).await;
    let authorization = &delivered.headers["authorization"];
    let (token, k) = authorization
        .strip_prefix("vapid t=")
        .and_then(|rest| rest.split_once(", k="))
        .expect("vapid t=…, k=…");
    assert_eq!(k, key);
    let public = ES256PublicKey::from_bytes(&URL_SAFE_NO_PAD.decode(&key).expect("key"))
        .expect("a P-256 key");
    let claims = public
        .verify_token::<NoCustomClaims>(token, None)
        .expect("the signature verifies");
    // web-push-native 0.5 names the audience by scheme and host, leaving out a port;
    // every real push service is on 443, where the two agree.
    let host_only = service.origin.rsplit_once(':').expect("a port").0;
    assert_eq!(
        claims
            .audiences
            .expect("aud")
            .into_string()
            .expect("one audience"),
        host_only
    );
    assert_eq!(claims.subject.as_deref(), Some("mailto:hearth@localhost"));

    // A DM reaches her too, named by who sent it.
    let room = dm_room(&bram, "ada").await;
    say(&bram, &room, "are you coming?").await;
    let opened = phone.open(&service.next().await);
    assert_eq!(opened["title"], "bram");
    assert_eq!(opened["body"], "sent you a message");
    assert_eq!(opened["url"], format!("/chat/room/{room}/"));

    // A message that mentions no one pushes to no one.
    say(&bram, "public-chat", "just talking").await;
    assert!(service.quiet_for(Duration::from_millis(500)).await);
}

#[tokio::test]
async fn someone_online_or_with_the_room_set_to_nothing_is_not_pushed() {
    let mut service = PushService::start().await;
    let app = app_pushing_to(&service).await;
    let ada = app.signed_up("ada").await;
    let bram = app.signed_up("bram").await;
    let cyra = app.signed_up("cyra").await;
    let ada_phone = Device::new(format!("{}/push/ada", service.origin));
    let cyra_phone = Device::new(format!("{}/push/cyra", service.origin));
    assert_eq!(subscribe(&ada, &ada_phone.json()).await.status(), 200);
    assert_eq!(subscribe(&cyra, &cyra_phone.json()).await.status(), 200);

    // Ada is looking (a socket open anywhere): the mention shows there, not on her phone.
    let mut ada_socket = ada.json_socket("public-chat").await;
    say(&bram, "public-chat", "@ada look up").await;
    ada_socket.next_containing("look up").await;
    // Cyra muted the public room: nothing reaches her from it, mentions included.
    let response = cyra
        .post_form(
            "/chat/room/public-chat/notifications/",
            "/chat/",
            &[("level", "nothing")],
        )
        .await;
    assert_eq!(response.status(), 303);
    say(&bram, "public-chat", "@cyra and you").await;
    // Pushes go out in the order messages were sent: a DM to Cyra afterwards is the
    // first and only thing the service sees.
    let room = dm_room(&bram, "cyra").await;
    say(&bram, &room, "psst").await;
    let delivered = service.next().await;
    assert_eq!(delivered.path, "/push/cyra");
    assert_eq!(cyra_phone.open(&delivered)["body"], "sent you a message");
    assert!(service.quiet_for(Duration::from_millis(500)).await);
    drop(ada_socket);
}

#[tokio::test]
async fn a_subscription_the_push_service_calls_gone_is_forgotten() {
    let mut service = PushService::start().await;
    let app = app_pushing_to(&service).await;
    let ada = app.signed_up("ada").await;
    let bram = app.signed_up("bram").await;
    let old = Device::new(format!("{}/push/old", service.origin));
    let new = Device::new(format!("{}/push/new", service.origin));
    assert_eq!(subscribe(&ada, &old.json()).await.status(), 200);
    assert_eq!(subscribe(&ada, &new.json()).await.status(), 200);
    service.answer("/push/old", Answer::Status(410));
    service.answer("/push/new", Answer::Status(404));
    assert_eq!(app.count_rows("push_subscriptions").await, 2);

    say(&bram, "public-chat", "@ada hello").await;
    let mut paths = vec![service.next().await.path, service.next().await.path];
    paths.sort();
    assert_eq!(paths, ["/push/new", "/push/old"]);
    crate::helpers::eventually("both gone subscriptions are forgotten", async || {
        app.count_rows("push_subscriptions").await == 0
    })
    .await;
    assert!(
        !ada.get_text("/accounts/settings/")
            .await
            .contains("data-push-device=")
    );
}

#[tokio::test]
async fn a_push_service_that_hangs_delays_no_message() {
    let mut service = PushService::start().await;
    let app = app_pushing_to(&service).await;
    let ada = app.signed_up("ada").await;
    let bram = app.signed_up("bram").await;
    let phone = Device::new(format!("{}/push/slow", service.origin));
    assert_eq!(subscribe(&ada, &phone.json()).await.status(), 200);
    service.answer("/push/slow", Answer::Hang);

    let mut bram_socket = bram.json_socket("public-chat").await;
    bram_socket.send_json(json!({ "body": "@ada first" })).await;
    bram_socket.next_containing("first").await;
    service.next().await;
    // The push service now holds a request open (for up to the 10 s timeout); twenty
    // more mentions are each acknowledged as fast as ever.
    let started = Instant::now();
    for n in 0..20 {
        let body = format!("@ada ping {n}");
        bram_socket.send_json(json!({ "body": body })).await;
        bram_socket.next_containing(&body).await;
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "twenty messages took {:?} beside a hanging push service",
        started.elapsed()
    );
}

#[tokio::test]
async fn malformed_or_foreign_subscriptions_are_refused_and_store_nothing() {
    let service = PushService::start().await;
    let app = app_pushing_to(&service).await;
    let ada = app.signed_up("ada").await;
    let bram = app.signed_up("bram").await;
    let good = Device::new(format!("{}/push/a", service.origin)).json();
    let with = |path: &str, value: Json| {
        let mut body = good.clone();
        body.pointer_mut(path)
            .map(|slot| *slot = value)
            .expect("path");
        body
    };
    for (bad, why) in [
        (
            with("/endpoint", json!("https://evil.example/push")),
            "not an allowed service",
        ),
        (
            with("/endpoint", json!("http://169.254.169.254/latest/")),
            "metadata address",
        ),
        (with("/endpoint", json!("not a url")), "not a URL"),
        (with("/endpoint", json!("x".repeat(5000))), "too long"),
        (with("/keys/p256dh", json!("AAAA")), "short key"),
        (
            with("/keys/p256dh", json!(URL_SAFE_NO_PAD.encode([4u8; 65]))),
            "not on the curve",
        ),
        (with("/keys/auth", json!("c2hvcnQ")), "short secret"),
        (with("/keys", json!({})), "no keys"),
        (json!({ "endpoint": 7 }), "wrong types"),
        (json!([]), "not an object"),
    ] {
        let response = subscribe(&ada, &bad).await;
        assert_eq!(response.status(), 400, "{why}");
    }
    let token = ada.csrf_token("/accounts/settings/").await;
    let response = ada
        .http
        .post(ada.url("/accounts/settings/push/"))
        .header("X-CSRF-Token", token)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 400, "not JSON");
    let token = ada.csrf_token("/accounts/settings/").await;
    let huge = json!({ "endpoint": format!("{}/push/{}", service.origin, "a".repeat(2 << 20)), "keys": good["keys"] });
    let response = ada
        .http
        .post(ada.url("/accounts/settings/push/"))
        .header("X-CSRF-Token", token)
        .json(&huge)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 413, "over the body limit");
    // No CSRF token: refused; signed out: sent to log in.
    let response = ada
        .http
        .post(ada.url("/accounts/settings/push/"))
        .json(&good)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 403);
    let stranger = app.client();
    let response = stranger
        .http
        .post(stranger.url("/accounts/settings/push/"))
        .json(&good)
        .send()
        .await
        .expect("POST");
    assert!(
        matches!(response.status().as_u16(), 303 | 403),
        "{}",
        response.status()
    );
    assert_eq!(app.count_rows("push_subscriptions").await, 0);

    // Twenty devices at most; the same device subscribing again replaces its row.
    for n in 0..20 {
        let device = Device::new(format!("{}/push/{n}", service.origin));
        assert_eq!(subscribe(&ada, &device.json()).await.status(), 200);
    }
    assert_eq!(subscribe(&ada, &good).await.status(), 400, "a 21st device");
    let again = Device::new(format!("{}/push/0", service.origin));
    assert_eq!(subscribe(&ada, &again.json()).await.status(), 200);
    assert_eq!(app.count_rows("push_subscriptions").await, 20);

    // Only its owner removes a device.
    let page = ada.get_text("/accounts/settings/").await;
    let id = regex::Regex::new(r#"data-push-device="(\d+)""#)
        .expect("regex")
        .captures(&page)
        .expect("a device")[1]
        .to_owned();
    let remove = format!("/accounts/settings/push/{id}/remove/");
    let response = bram.post_form(&remove, "/accounts/settings/", &[]).await;
    assert_eq!(response.status(), 404);
    let response = ada.post_form_without_csrf(&remove, &[]).await;
    assert_eq!(response.status(), 403);
    assert_eq!(app.count_rows("push_subscriptions").await, 20);
    let response = ada.post_form(&remove, "/accounts/settings/", &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(app.count_rows("push_subscriptions").await, 19);
    let response = ada.post_form(&remove, "/accounts/settings/", &[]).await;
    assert_eq!(response.status(), 404, "already gone");
}

#[tokio::test]
async fn with_no_push_services_push_is_off_and_says_so() {
    let app = spawn_app_with(|settings| settings.notifications.push_services.clear()).await;
    let ada = app.signed_up("ada").await;
    let page = ada.get_text("/accounts/settings/").await;
    assert!(page.contains("Push is off on this server."));
    assert!(!page.contains("data-push-key"));
    let device = Device::new("https://fcm.googleapis.com/fcm/send/x".into());
    assert_eq!(subscribe(&ada, &device.json()).await.status(), 400);
    assert_eq!(app.count_rows("push_subscriptions").await, 0);
}
