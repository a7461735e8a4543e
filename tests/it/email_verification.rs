//! Email verification after sign-up: the mailed link, mandatory mode refusing log-in, resend.

use crate::helpers::mail::{
    after_earlier_mail_work, link_path, outbox_mail, outbox_mails, outbox_now,
};
use crate::helpers::{PASSWORD, spawn_app, spawn_app_with};
use hearth::config::EmailVerification;

const CONFIRM: &str = "/accounts/confirm-email/";

#[tokio::test]
async fn signup_mails_a_single_use_link_that_verifies_the_address() {
    let app = spawn_app().await;
    app.signed_up("ann").await;
    let path = link_path(&outbox_mail(&app, "To: ann@example.org").await, CONFIRM);

    let client = app.client();
    let confirmed = client.get(&path).await;
    assert_eq!(confirmed.status(), 200);
    assert!(confirmed.text().await.unwrap().contains("Email confirmed"));
    let again = client.get(&path).await;
    assert_eq!(again.status(), 400);
    assert!(again.text().await.unwrap().contains("invalid or expired"));
    assert_eq!(client.get(&format!("{CONFIRM}bogus/")).await.status(), 400);
}

#[tokio::test]
async fn no_mail_is_sent_when_verification_is_off() {
    let app = spawn_app_with(|s| s.accounts.email_verification = EmailVerification::None).await;
    let ann = app.signed_up("ann").await;
    after_earlier_mail_work(&app, &ann, "ann@example.org").await;
    assert_eq!(
        app.count_rows("account_tokens WHERE purpose != 'reset'")
            .await,
        0
    );
    assert!(
        outbox_now(&app).iter().all(|mail| !mail.contains(CONFIRM)),
        "no confirmation link was mailed"
    );
}

#[tokio::test]
async fn mandatory_verification_refuses_log_in_until_the_address_is_confirmed() {
    let app =
        spawn_app_with(|s| s.accounts.email_verification = EmailVerification::Mandatory).await;
    let client = app.client();
    let signup = client.signup("ann", "ann@example.org", PASSWORD).await;
    assert_eq!(signup.status(), 200);
    assert!(signup.text().await.unwrap().contains("Send it again"));

    let refused = client.login("ann", PASSWORD).await;
    assert_eq!(refused.status(), 403);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("Your email address is not verified yet"),
        "{page}"
    );
    assert!(page.contains("/accounts/confirm-email/resend/"));
    assert_eq!(
        client.get("/accounts/settings/").await.status(),
        303,
        "not signed in"
    );

    // A wrong password still says only that the credentials are wrong.
    let wrong = client.login("ann", "not the password").await;
    assert_eq!(wrong.status(), 400);

    // Resend: the same answer for any address, a second link for this one.
    let resend = client
        .post_form(
            "/accounts/confirm-email/resend/",
            "/accounts/confirm-email/resend/",
            &[("email", "ann@example.org")],
        )
        .await;
    assert_eq!(resend.status(), 200);
    let mails = outbox_mails(&app, "To: ann@example.org", 2).await;
    let path = link_path(&mails[0], CONFIRM);
    assert_eq!(client.get(&path).await.status(), 200);
    assert_eq!(client.login("ann", PASSWORD).await.status(), 303);
}
