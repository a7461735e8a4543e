//! Security events reach the append-only audit log.

use crate::helpers::spawn_app;

#[tokio::test]
async fn failed_log_ins_and_refusals_during_back_off_are_audited() {
    let app = spawn_app().await;
    let ann = app.client();
    ann.signup("ann", "ann@example.org", "correct horse battery")
        .await;
    let guesser = app.client();
    for _ in 0..5 {
        guesser.login("ann", "wrong guess").await;
    }
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'login.failed' AND actor_name = 'ann' AND kind = 'security' AND ip = '127.0.0.1'")
            .await,
        5
    );
    let refused = guesser.login("ann", "wrong guess").await;
    assert_eq!(refused.status(), 429);
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'login.locked' AND actor_name = 'ann'")
            .await,
        1
    );

    let response = reqwest::Client::new()
        .post(format!("{}/api/token/", app.address))
        .json(&serde_json::json!({"username": "nobody", "password": "x"}))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 401);
    assert_eq!(
        app.count_rows(
            "audit_log WHERE action = 'login.failed' AND actor_id IS NULL AND target = 'nobody'"
        )
        .await,
        1,
        "an unknown name is audited under the name tried"
    );
}
