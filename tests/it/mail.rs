//! The outbox backend (no `smtp_host`) and real SMTP delivery to a local sink.

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::helpers::mail::{MAIL_WAIT, link_path, outbox_mail};
use crate::helpers::{PASSWORD, spawn_app, spawn_app_with};

/// A minimal SMTP server on 127.0.0.1:0: accepts every mail and hands its DATA over.
async fn smtp_sink() -> (u16, mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind sink");
    let port = listener.local_addr().expect("addr").port();
    let (sender, receiver) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let sender = sender.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.ok();
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
                        "DATA" => {
                            write.write_all(b"354 go ahead\r\n").await.ok();
                            let mut data = String::new();
                            while let Ok(Some(line)) = lines.next_line().await {
                                if line == "." {
                                    break;
                                }
                                data.push_str(&line);
                                data.push('\n');
                            }
                            sender.send(data).ok();
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.ok();
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.ok();
                }
            });
        }
    });
    (port, receiver)
}

#[tokio::test]
async fn without_smtp_host_mail_is_written_to_the_outbox() {
    let app = spawn_app().await;
    app.signed_up("ann").await;

    let mail = outbox_mail(&app, "To: ann@example.org").await;
    assert!(mail.contains("From: Hearth <hearth@localhost>"), "{mail}");
    assert!(
        mail.contains("Subject: Confirm your email address"),
        "{mail}"
    );
    link_path(&mail, "/accounts/confirm-email/");
}

#[tokio::test]
async fn with_smtp_host_mail_is_delivered_over_smtp() {
    let (port, mut received) = smtp_sink().await;
    let app = spawn_app_with(|s| {
        s.mail.smtp_host = "127.0.0.1".into();
        s.mail.smtp_port = port;
        s.mail.smtp_tls = hearth::config::SmtpTls::None;
        s.mail.from = "Hearth Test <noreply@hearth.test>".into();
    })
    .await;
    app.signed_up("bob").await;
    let visitor = app.client();
    let response = visitor
        .post_form(
            "/accounts/password/reset/",
            "/accounts/password/reset/",
            &[("email", "bob@example.org")],
        )
        .await;
    assert_eq!(response.status(), 200);

    // Sign-up's confirmation mail and the reset mail, in either order.
    let mut reset = None;
    for _ in 0..2 {
        let data = tokio::time::timeout(MAIL_WAIT, received.recv())
            .await
            .expect("a mail within the wait")
            .expect("sink open");
        assert!(data.contains("<noreply@hearth.test>"), "{data}");
        assert!(data.contains("To: bob@example.org"), "{data}");
        if data.contains("/accounts/password/reset/key/") {
            reset = Some(data);
        }
    }
    let reset = reset.expect("the reset mail came over smtp");
    assert!(
        !app.data_dir.path().join("outbox").exists(),
        "with smtp configured nothing goes to the outbox"
    );

    // The delivered link works end to end.
    let path = link_path(&reset, "/accounts/password/reset/key/");
    let new_password = "a brand new ember 77";
    let response = visitor
        .post_form(
            &path,
            "/accounts/password/reset/",
            &[("password1", new_password), ("password2", new_password)],
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.client().login("bob", new_password).await.status(), 303);
    assert_eq!(app.client().login("bob", PASSWORD).await.status(), 400);
}

#[test]
fn a_malformed_sender_address_is_refused_at_start_naming_the_setting() {
    let mut settings = hearth::config::Settings::default();
    settings.mail.from = "not an address".into();
    let error = settings.validate().expect_err("refused");
    assert_eq!(error.setting, "mail.from");
}
