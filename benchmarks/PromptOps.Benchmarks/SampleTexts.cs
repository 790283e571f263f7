namespace PromptOps.Benchmarks;

/// <summary>Realistic support-reply prose of about 3–4 KB each (English: 2,966 ASCII chars; Japanese: 1,272 chars, 3,778 bytes UTF-8).</summary>
internal static class SampleTexts
{
    public const string English =
        "Thank you for reaching out about the problems your team has been having with invoice exports since last week's release. " +
        "I have gone through the logs for your workspace and I want to explain what happened, what we have already changed, and " +
        "what you can do today while the permanent fix rolls out.\n\n" +
        "On Tuesday we moved PDF rendering to a new pool of servers so that large documents would no longer block smaller ones. " +
        "The new pool works well for most customers, but it has a stricter time limit: any single export that takes longer than " +
        "sixty seconds is cancelled and reported as a gateway timeout. Your invoices include high-resolution logos and, in several " +
        "cases, attachment pages with scanned receipts, which pushed some exports just past that limit. That is why the same " +
        "invoice sometimes succeeded on a second attempt and sometimes did not.\n\n" +
        "Yesterday evening we raised the limit to three minutes for accounts on the Business and Enterprise plans, and we added " +
        "a retry that resumes rendering from the last completed page instead of starting over. Since then, 214 of the 220 exports " +
        "from your workspace have completed, with a median time of eleven seconds. The six failures were all bulk exports of more " +
        "than five hundred invoices at once, which still exceed the new limit.\n\n" +
        "Until the next release, which is planned for Thursday, I would suggest splitting bulk exports into batches of two hundred " +
        "invoices or fewer. You can do this from the Invoices page by filtering on the issue date and exporting one week at a time. " +
        "If you use the API, the export endpoint accepts a page size parameter; a value of 200 keeps each request well within the " +
        "limit. Scheduled exports will pick up the new behaviour automatically, so you do not need to recreate them.\n\n" +
        "I also noticed that two members of your team are still using an older version of the desktop app, 4.8.2, which does not " +
        "retry failed exports at all. Updating to 5.1 or later will make the remaining timeouts much less likely, because the app " +
        "now waits for the server to finish instead of giving up after thirty seconds. The update is available from the Help menu " +
        "under Check for Updates, and it does not require administrator rights.\n\n" +
        "Regarding your month-end close on Friday: I have flagged your account so that our on-call engineers are alerted if any " +
        "export from your workspace fails between now and Monday. If something does go wrong, reply to this message and it will " +
        "reach me directly rather than joining the general queue. I have also credited one month of the Business plan to your " +
        "account for the disruption; it will appear on your next invoice as a separate line.\n\n" +
        "Finally, thank you for the detailed report. The browser version, the exact error code and the time you first saw the " +
        "problem made it much faster to find the cause. Please let me know if the batches work for you, or if you would like me " +
        "to run the bulk export on our side and send you the finished files.\n\n" +
        "Best regards,\nDana\nCustomer Support";

    public const string Japanese =
        "先週のリリース以降、請求書のエクスポートで問題が発生しているとのご連絡をいただき、ありがとうございます。" +
        "お客様のワークスペースのログを確認いたしましたので、原因と、すでに実施した対応、そして恒久的な修正が完了するまでの間に" +
        "ご利用いただける回避策についてご説明いたします。\n\n" +
        "火曜日に、大きな文書の処理が小さな文書を妨げないよう、PDFの生成処理を新しいサーバー群へ移行しました。" +
        "新しいサーバー群は多くのお客様の環境では問題なく動作していますが、処理時間の上限がより厳しく設定されており、" +
        "一件のエクスポートが六十秒を超えると処理が中断され、ゲートウェイのタイムアウトとして報告されます。" +
        "お客様の請求書には高解像度のロゴが含まれており、さらにスキャンした領収書を添付ページとして含むものもあったため、" +
        "一部のエクスポートがこの上限をわずかに超えていました。同じ請求書が二回目には成功したり、失敗したりしたのはこのためです。\n\n" +
        "昨日の夕方、ビジネスプランおよびエンタープライズプランのお客様について上限を三分に引き上げ、" +
        "さらに最初からやり直すのではなく、最後に完了したページから生成を再開する再試行の仕組みを追加しました。" +
        "それ以降、お客様のワークスペースからの二百二十件のエクスポートのうち二百十四件が完了しており、処理時間の中央値は十一秒です。" +
        "失敗した六件はいずれも、五百件を超える請求書を一度にまとめてエクスポートしたもので、新しい上限でもまだ超過してしまいます。\n\n" +
        "木曜日に予定している次回のリリースまでは、一括エクスポートを二百件以下のまとまりに分けて実行していただくことをお勧めします。" +
        "請求書の画面で発行日による絞り込みを行い、一週間分ずつエクスポートしていただく方法が簡単です。" +
        "APIをご利用の場合は、エクスポートのエンドポイントでページサイズを指定できますので、二百を指定していただければ上限内に収まります。" +
        "定期エクスポートには新しい動作が自動的に適用されますので、設定し直していただく必要はありません。\n\n" +
        "金曜日の月末締めにつきましては、月曜日までの間にお客様のワークスペースでエクスポートが失敗した場合、" +
        "当社の当番エンジニアに通知が届くよう設定いたしました。万一問題が発生した場合は、このメッセージにご返信いただければ、" +
        "通常の窓口を経由せず私に直接届きます。また、今回ご不便をおかけしたお詫びとして、ビジネスプラン一か月分をお客様のアカウントに" +
        "付与いたしました。次回の請求書に別の明細として記載されます。\n\n" +
        "最後に、詳しいご報告をいただき誠にありがとうございました。ブラウザのバージョン、正確なエラーコード、そして問題に最初に" +
        "気づかれた時刻をお知らせいただいたおかげで、原因を迅速に特定することができました。" +
        "分割でのエクスポートがうまくいくかどうか、あるいは当社側で一括エクスポートを実行して完成したファイルをお送りした方がよいか、" +
        "どうぞお気軽にお知らせください。\n\n" +
        "今後ともどうぞよろしくお願いいたします。\nカスタマーサポート　佐藤";
}
