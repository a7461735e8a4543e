//! Mail for what someone missed: a mention or DM still unread after
//! `notifications.email_after_minutes` is summarised in one mail per person per period,
//! naming who and where but not the words unless the person asks; reading it in time,
//! the room's level, the settings and a mailed link (without logging in) all stop it.

use std::time::Duration;

use crate::helpers::mail::{outbox_mail, outbox_mails, outbox_now};
use crate::helpers::rooms::{dm_room, say};
use crate::helpers::{TestApp, eventually, spawn_app, spawn_app_with};

/// Mail as soon as something is noted (checked every second).
async fn app_mailing_at_once() -> TestApp {
    spawn_app_with(|settings| settings.notifications.email_after_minutes = 0).await
}

const SUBJECT_ONE: &str = "Subject: You have an unread message on Hearth";

fn missed_mails_to(app: &TestApp, who: &str) -> Vec<String> {
    outbox_now(app)
        .into_iter()
        .filter(|m| {
            m.contains(&format!("To: {who}@example.org")) && m.contains("While you were away")
        })
        .collect()
}

async fn noted(app: &TestApp, count: i64) {
    eventually(&format!("{count} missed message(s) noted"), async || {
        app.count_rows("missed_mail").await == count
    })
    .await;
}

#[tokio::test]
async fn unread_mentions_and_dms_are_mailed_once_per_period_naming_who_and_where() {
    let app = app_mailing_at_once().await;
    let _ada = app.signed_up("ada").await;
    let bram = app.signed_up("bram").await;

    say(&bram, "public-chat", "@ada the kettle").await;
    let mail = outbox_mail(&app, "While you were away").await;
    assert!(mail.contains("To: ada@example.org"), "{mail}");
    assert!(mail.contains(SUBJECT_ONE), "{mail}");
    assert!(mail.contains("bram mentioned you in Public chat"), "{mail}");
    let link = regex::Regex::new(r"(http://127\.0\.0\.1:\d+/chat/#message-\d+)").expect("regex");
    assert!(link.is_match(&mail), "a link to the message: {mail}");
    assert!(mail.contains("/notifications/unsubscribe/"), "{mail}");
    assert!(
        !mail.contains("kettle"),
        "the words stay on the server: {mail}"
    );
    noted(&app, 0).await;

    // Two more, a mention and a DM, while the period since that mail runs: nothing yet.
    say(&bram, "public-chat", "@ada swordfish").await;
    let room = dm_room(&bram, "ada").await;
    say(&bram, &room, "the marmalade").await;
    noted(&app, 2).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(missed_mails_to(&app, "ada").len(), 1, "one mail per period");

    // The period over (its start moved back), both come in one mail.
    app.execute_sql("UPDATE mail_preferences SET last_emailed = NULL")
        .await;
    let mails = outbox_mails(&app, "While you were away", 2).await;
    let second = mails
        .into_iter()
        .find(|m| m.contains("You have 2 unread messages on Hearth"))
        .expect("one mail for both");
    assert!(
        second.contains("bram mentioned you in Public chat"),
        "{second}"
    );
    assert!(second.contains("bram sent you a message"), "{second}");
    assert!(
        second.contains(&format!("/chat/room/{room}/#message-")),
        "{second}"
    );
    assert!(!second.contains("swordfish") && !second.contains("marmalade"));
    noted(&app, 0).await;
    assert_eq!(missed_mails_to(&app, "ada").len(), 2);
    // Bram was not mentioned or written to: nothing for him.
    assert!(missed_mails_to(&app, "bram").is_empty());
}

#[tokio::test]
async fn what_is_read_in_time_or_muted_is_never_mailed() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let bram = app.signed_up("bram").await;
    let cyra = app.signed_up("cyra").await;

    // A DM, read by opening the room: forgotten.
    let room = dm_room(&bram, "ada").await;
    say(&bram, &room, "read me").await;
    noted(&app, 1).await;
    let page = ada.get_text(&format!("/chat/room/{room}/")).await;
    assert!(page.contains("read me"));
    noted(&app, 0).await;

    // A mention in the public room, seen by opening the chat: forgotten too.
    say(&bram, "public-chat", "@ada over here").await;
    noted(&app, 1).await;
    assert!(ada.get_text("/chat/").await.contains("over here"));
    noted(&app, 0).await;

    // Cyra set the public room to nothing: her mention is not even noted.
    let response = cyra
        .post_form(
            "/chat/room/public-chat/notifications/",
            "/chat/",
            &[("level", "nothing")],
        )
        .await;
    assert_eq!(response.status(), 303);
    say(&bram, "public-chat", "@cyra hello").await;
    // A DM to Ada afterwards is noted: the mention before it was passed over.
    say(&bram, &room, "and again").await;
    noted(&app, 1).await;
    let rows = app.count_rows("missed_mail").await;
    assert_eq!(rows, 1);
    assert!(
        outbox_now(&app)
            .iter()
            .all(|m| !m.contains("While you were away"))
    );
}

#[tokio::test]
async fn settings_and_the_mailed_link_turn_it_off_and_the_words_on() {
    let app = app_mailing_at_once().await;
    let ada = app.signed_up("ada").await;
    let bram = app.signed_up("bram").await;

    // Off in settings: what is noted is dropped unmailed.
    let response = ada
        .post_form("/accounts/settings/mail/", "/accounts/settings/", &[])
        .await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.expect("page");
    assert!(
        page.contains("no more mail about what you missed"),
        "{page}"
    );
    say(&bram, "public-chat", "@ada are you there").await;
    noted(&app, 1).await;
    noted(&app, 0).await;
    assert!(missed_mails_to(&app, "ada").is_empty());

    // On again, with the words.
    let response = ada
        .post_form(
            "/accounts/settings/mail/",
            "/accounts/settings/",
            &[("email_missed", "on"), ("email_text", "on")],
        )
        .await;
    assert_eq!(response.status(), 200);
    say(&bram, "public-chat", "@ada the kettle is on").await;
    let mail = outbox_mail(&app, "While you were away").await;
    assert!(mail.contains("\"@ada the kettle is on\""), "{mail}");

    // The link in it works for anyone holding it, without logging in: a question first
    // (a scanner that follows links changes nothing), then the button.
    let link = regex::Regex::new(
        r"http://127\.0\.0\.1:\d+(/notifications/unsubscribe/\d+/[A-Za-z0-9_-]+/)",
    )
    .expect("regex")
    .captures(&mail)
    .expect("an unsubscribe link")[1]
        .to_owned();
    let stranger = app.client();
    let page = stranger.get_text(&link).await;
    assert!(page.contains("Stop mail about what you missed?"), "{page}");
    assert!(ada.get_text("/accounts/settings/").await.contains(
        r#"name="email_missed" value="on" class="h-4 w-4 shrink-0 accent-orange-600" checked"#
    ));
    let response = stranger.post_form(&link, &link, &[]).await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .expect("page")
            .contains(r#"data-role="done""#)
    );
    let settings = ada.get_text("/accounts/settings/").await;
    assert!(!settings.contains(
        r#"name="email_missed" value="on" class="h-4 w-4 shrink-0 accent-orange-600" checked"#
    ));
    assert!(
        settings.contains(
            r#"name="email_text" value="on" class="h-4 w-4 shrink-0 accent-orange-600" checked"#
        ),
        "the words choice is kept"
    );
}

#[tokio::test]
async fn forged_unsubscribe_links_and_forms_change_nothing() {
    let app = app_mailing_at_once().await;
    let ada = app.signed_up("ada").await;
    let bram = app.signed_up("bram").await;
    say(&bram, "public-chat", "@ada hi").await;
    let mail = outbox_mail(&app, "While you were away").await;
    let (id, token) = {
        let captures = regex::Regex::new(r"/notifications/unsubscribe/(\d+)/([A-Za-z0-9_-]+)/")
            .expect("regex")
            .captures(&mail)
            .expect("link");
        (captures[1].to_owned(), captures[2].to_owned())
    };
    let other: i64 = id.parse::<i64>().expect("id") + 1;
    let stranger = app.client();
    for bad in [
        format!("/notifications/unsubscribe/{other}/{token}/"),
        format!("/notifications/unsubscribe/{id}/{}/", "A".repeat(43)),
        format!("/notifications/unsubscribe/{id}/not-base64!/"),
        format!("/notifications/unsubscribe/{id}/{}/", "x".repeat(5000)),
        "/notifications/unsubscribe/abc/def/".to_owned(),
    ] {
        let response = stranger.get(&bad).await;
        assert_eq!(response.status(), 404, "{bad}");
    }
    let good = format!("/notifications/unsubscribe/{id}/{token}/");
    // Without the page's CSRF token the button is refused.
    let response = stranger.post_form_without_csrf(&good, &[]).await;
    assert_eq!(response.status(), 403);
    let forged = format!("/notifications/unsubscribe/{other}/{token}/");
    let response = stranger.post_form(&forged, &good, &[]).await;
    assert_eq!(response.status(), 404);
    // The settings form refuses a forged post, and a stranger is sent to log in.
    let response = ada
        .post_form_without_csrf("/accounts/settings/mail/", &[])
        .await;
    assert_eq!(response.status(), 403);
    let response = stranger
        .post_form("/accounts/settings/mail/", "/accounts/login/", &[])
        .await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(
        app.count_rows("mail_preferences").await,
        1,
        "only the mailed-at row"
    );
    assert!(ada.get_text("/accounts/settings/").await.contains(
        r#"name="email_missed" value="on" class="h-4 w-4 shrink-0 accent-orange-600" checked"#
    ));
}

#[tokio::test]
async fn a_mail_server_that_is_down_loses_nothing_noted() {
    // A port nothing listens on: every SMTP connection is refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("address")
        .port();
    let app = spawn_app_with(move |settings| {
        settings.notifications.email_after_minutes = 0;
        settings.mail.smtp_host = "127.0.0.1".into();
        settings.mail.smtp_port = closed;
        settings.mail.smtp_tls = hearth::config::SmtpTls::None;
    })
    .await;
    let _ada = app.signed_up("ada").await;
    let bram = app.signed_up("bram").await;
    say(&bram, "public-chat", "@ada still there?").await;
    noted(&app, 1).await;
    // Several checks fail to mail; the note stays for the next one, and no mail is
    // recorded as sent.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(app.count_rows("missed_mail").await, 1);
    assert_eq!(app.count_rows("mail_preferences").await, 0);
}
