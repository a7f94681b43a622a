using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Search;
using HelpDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Web.Tests.Search;

/// <summary>GET /api/v1/search through the real host on the run's database (SQLite, or PostgreSQL under pgtest.sh).</summary>
public sealed class SearchApiTests : IAsyncLifetime
{
    private readonly HelpDeskFactory _factory = new();
    private HttpClient _dana = null!;

    public async Task InitializeAsync() => _dana = await _factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private async Task<int> OpenAsync(string subject, string body, string email = "maria@example.test", string name = "Maria", string team = "support",
        HttpClient? client = null)
    {
        var response = await (client ?? _dana).PostAsJsonAsync("/api/v1/tickets", new { subject, body, requester = new { email, name }, priority = "normal", team });
        response.EnsureSuccessStatusCode();
        return (await response.JsonAsync()).GetProperty("number").GetInt32();
    }

    private async Task<JsonElement> SearchAsync(string query, HttpClient? client = null)
    {
        var response = await (client ?? _dana).GetAsync($"/api/v1/search?{query}");
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }

    private async Task<List<int>> NumbersAsync(string q, HttpClient? client = null) =>
        (await SearchAsync("q=" + Uri.EscapeDataString(q), client)).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetInt32()).ToList();

    private static string Marked(JsonElement item) =>
        string.Concat(item.GetProperty("snippet").EnumerateArray().Select(s => s.GetProperty("match").GetBoolean() ? $"[{s.GetProperty("text").GetString()}]" : s.GetProperty("text").GetString()));

    [Theory]
    [InlineData("Turkish", "Uçuşum İstanbul'dan iptal edildi", "Rezervasyonumu değiştirmek istiyorum, lütfen yardım edin.", "ISTANBUL")]
    [InlineData("Turkish lower case", "Uçuşum İstanbul'dan iptal edildi", "Rezervasyonumu değiştirmek istiyorum.", "istanbul")]
    [InlineData("Turkish dotless", "Şifremi unuttum", "ISPARTA şubesindeki hesabıma giremiyorum.", "ısparta")]
    [InlineData("German", "Die Rechnung ist falsch", "Die Straße in meiner Rechnungsadresse ist falsch geschrieben.", "STRASSE")]
    [InlineData("German ss to ß", "Adresse", "Bitte ändern Sie die Strasse in meiner Adresse.", "straße")]
    [InlineData("Persian", "مشکل در ورود", "من نمی‌توانم وارد حساب کاربری خود شوم، لطفاً کمک کنید.", "كاربري")]
    [InlineData("Persian without the zero-width non-joiner", "مشکل در ورود", "من نمی‌توانم وارد حساب کاربری خود شوم.", "نمیتوانم")]
    [InlineData("Arabic with harakat", "مشكلة في الفاتورة", "لقد دفعتُ الفاتورةَ مرتين هذا الشهر.", "الفاتورة")]
    [InlineData("Arabic with tatweel", "طلب استرداد", "أرجو استرداد المبلغ المدفوع.", "المـــبلغ")]
    [InlineData("Thai", "สั่งซื้อสินค้าแล้วยังไม่ได้รับ", "ฉันสั่งซื้อสินค้าเมื่อสัปดาห์ที่แล้วแต่ยังไม่ได้รับของเลยค่ะ", "สินค้า")]
    [InlineData("Chinese two characters", "无法登录", "我的账户被锁定了，请帮我解锁。", "账户")]
    [InlineData("Chinese multi-word", "无法登录", "我的账户被锁定了，请帮我解锁。", "账户 解锁")]
    [InlineData("Japanese", "パスワードを忘れました", "ログインできません。パスワードの再設定をお願いします。", "再設定")]
    [InlineData("Japanese two characters", "パスワードを忘れました", "ログインできません。", "ログ")]
    public async Task Finds_a_ticket_by_a_word_of_its_customers_message_in_any_script(string script, string subject, string body, string query)
    {
        var number = await OpenAsync(subject, body);
        await OpenAsync("Printer on fire", "The printer in room 4 is on fire.");

        var result = await SearchAsync("q=" + Uri.EscapeDataString(query));

        result.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetInt32()).Should().Equal([number], script);
        result.GetProperty("total").GetInt32().Should().Be(1);
        result.GetProperty("items")[0].GetProperty("snippet").EnumerateArray().Should().Contain(s => s.GetProperty("match").GetBoolean(), script);
    }

    [Theory]
    [InlineData("NFD against NFC", "Café crème brûlée", "cafe\u0301 cre\u0300me")]
    [InlineData("zero-width space inside the word", "Rechnungsadresse falsch", "Rechnungs\u200Badresse")]
    [InlineData("soft hyphen inside the word", "Rechnungsadresse falsch", "Rechnungs\u00ADadresse")]
    [InlineData("Persian Yeh and Kaf typed as Arabic", "کیک شکلاتی", "كيك")]
    [InlineData("full-width Latin", "Invoice ABC123 missing", "ＡＢＣ１２３")]
    public async Task Matches_text_typed_differently_from_how_it_was_stored(string how, string body, string query)
    {
        var number = await OpenAsync("Question", body);

        (await NumbersAsync(query)).Should().Equal([number], how);
    }

    [Fact]
    public async Task Highlights_the_found_words_in_the_original_text()
    {
        var number = await OpenAsync("Login", "Die Straße ist gesperrt und mein Paket ist nicht angekommen.");

        var item = (await SearchAsync("q=STRASSE%20paket")).GetProperty("items")[0];

        item.GetProperty("number").GetInt32().Should().Be(number);
        Marked(item).Should().Be("Die [Straße] ist gesperrt und mein [Paket] ist nicht angekommen.");
        item.GetProperty("requester").GetProperty("address").GetString().Should().Be("maria@example.test");
        item.GetProperty("team").GetString().Should().Be("support");
        item.GetProperty("assignee").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task Finds_by_number_requester_tag_and_internal_note()
    {
        var number = await OpenAsync("Login", "Locked out.", email: "zoltan.kovacs@example.test", name: "Zoltán Kovács");
        (await _dana.PostAsJsonAsync($"/api/v1/tickets/{number}/tags", new { add = new[] { "vip-customer" } })).EnsureSuccessStatusCode();
        (await _dana.PostAsJsonAsync($"/api/v1/tickets/{number}/replies", new { body = "Checked the audit log: brute force from 10.1.2.3", visibility = "internal" }))
            .EnsureSuccessStatusCode();

        (await NumbersAsync(number.ToString())).Should().Equal(number);
        (await NumbersAsync("kovács")).Should().Equal(number);
        (await NumbersAsync("zoltan.kovacs@example")).Should().Equal(number);
        (await NumbersAsync("vip-customer")).Should().Equal(number);
        (await NumbersAsync("brute force")).Should().Equal(number);
    }

    [Fact]
    public async Task Another_teams_ticket_never_appears_not_even_in_the_total()
    {
        var billing = await _factory.AgentClientAsync("bob@helpdesk.test", "agent", "billing");
        var mine = await OpenAsync("Refund", "Bitte erstatten Sie den Betrag.");
        await OpenAsync("Refund", "Bitte erstatten Sie den Betrag zweimal.", team: "billing", client: billing);

        var result = await SearchAsync("q=erstatten");

        result.GetProperty("total").GetInt32().Should().Be(1);
        result.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetInt32()).Should().Equal(mine);
        (await SearchAsync("q=erstatten", billing)).GetProperty("total").GetInt32().Should().Be(1);
        (await SearchAsync("q=erstatten&team=billing")).GetProperty("total").GetInt32().Should().Be(0);
    }

    [Fact]
    public async Task Pages_through_every_result_with_an_exact_total_best_matches_first()
    {
        var numbers = new List<int>();
        for (var i = 0; i < 7; i++)
        {
            numbers.Add(await OpenAsync($"Order {i}", "Meine Bestellung ist nicht angekommen."));
            _factory.Clock.AdvanceMinutes(1);
        }
        var titled = await OpenAsync("Bestellung verloren", "Wo ist mein Paket?");

        var pages = new List<int>();
        for (var page = 1; page <= 3; page++)
        {
            var result = await SearchAsync($"q=bestellung&page={page}&pageSize=3");
            result.GetProperty("total").GetInt32().Should().Be(8);
            result.GetProperty("totalExact").GetBoolean().Should().BeTrue("8 hits are within the ranked window, counted exactly");
            result.GetProperty("hasMore").GetBoolean().Should().Be(page < 3);
            result.GetProperty("page").GetInt32().Should().Be(page);
            result.GetProperty("pageSize").GetInt32().Should().Be(3);
            pages.AddRange(result.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetInt32()));
        }

        pages[0].Should().Be(titled, "a word in the subject ranks above the same word in the body");
        pages.Skip(1).Should().Equal(numbers.AsEnumerable().Reverse(), "equal matches come most recently updated first");
        (await SearchAsync("q=bestellung&page=4&pageSize=3")).GetProperty("items").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task Filters_narrow_the_results_and_work_without_words()
    {
        var first = await OpenAsync("Drucker", "Der Drucker druckt nicht.");
        _factory.Clock.AdvanceDays(2);
        var second = await OpenAsync("Drucker", "Der Drucker druckt schief.", email: "olga@example.test");
        (await _dana.PostAsJsonAsync($"/api/v1/tickets/{second}/status", new { status = "pending" })).EnsureSuccessStatusCode();

        (await NumbersAsync("drucker")).Should().Equal(second, first);
        (await SearchAsync("q=drucker&status=pending")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetInt32()).Should().Equal(second);
        (await SearchAsync("q=drucker&status=new&status=open")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetInt32()).Should().Equal(first);
        (await SearchAsync("requester=olga@example.test")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetInt32()).Should().Equal(second);
        (await SearchAsync("q=drucker&createdTo=2026-03-02")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetInt32()).Should().Equal(first);
        (await SearchAsync("q=drucker&updatedFrom=2026-03-03T00:00:00Z")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetInt32()).Should().Equal(second);
        (await SearchAsync("q=drucker&assignee=none&priority=normal")).GetProperty("total").GetInt32().Should().Be(2);
    }

    [Theory]
    [InlineData("", "q")]
    [InlineData("q=%20%20", "q")]
    [InlineData("q=x&status=sleeping", "status")]
    [InlineData("q=x&priority=asap", "priority")]
    [InlineData("q=x&assignee=somebody", "assignee")]
    [InlineData("q=x&requester=not-an-address", "requester")]
    [InlineData("q=x&tag=no%20spaces", "tag")]
    [InlineData("q=x&createdFrom=yesterday", "createdFrom")]
    [InlineData("q=x&createdTo=2026-13-01", "createdTo")]
    [InlineData("q=x&updatedFrom=soon", "updatedFrom")]
    [InlineData("q=x&updatedTo=later", "updatedTo")]
    [InlineData("q=x&page=0", "page")]
    [InlineData("q=x&pageSize=101", "pageSize")]
    [InlineData("q=x&pageSize=ten", "pageSize")]
    public async Task Rejects_a_bad_query_with_400_naming_the_field(string query, string field)
    {
        var response = await _dana.GetAsync($"/api/v1/search?{query}");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await response.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _).Should().BeTrue(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_index_follows_replies_subject_tags_and_deletes_and_equals_a_fresh_rebuild()
    {
        var number = await OpenAsync("Lieferung", "Das Paket fehlt.");
        (await NumbersAsync("rücksendung")).Should().BeEmpty();

        (await _dana.PostAsJsonAsync($"/api/v1/tickets/{number}/replies", new { body = "Bitte nutzen Sie das Rücksendeformular.", visibility = "public" }))
            .EnsureSuccessStatusCode();
        (await NumbersAsync("rücksendeformular")).Should().Equal(number);

        (await _dana.PostAsJsonAsync($"/api/v1/tickets/{number}/tags", new { add = new[] { "returns" } })).EnsureSuccessStatusCode();
        (await NumbersAsync("returns")).Should().Equal(number);
        (await _dana.PostAsJsonAsync($"/api/v1/tickets/{number}/tags", new { remove = new[] { "returns" } })).EnsureSuccessStatusCode();
        (await NumbersAsync("returns")).Should().BeEmpty();

        var before = await DocumentsAsync();
        await using (var scope = _factory.Services.CreateAsyncScope())
            (await scope.ServiceProvider.GetRequiredService<SearchRebuild>().RunAsync(null, CancellationToken.None)).Rewritten.Should().Be(0, "nothing drifted");
        (await DocumentsAsync()).Should().BeEquivalentTo(before);

        var other = await OpenAsync("Lieferung", "Noch ein Paket fehlt.");
        await using (var db = _factory.Database.NewContext())
        {
            db.Remove(await db.Tickets.SingleAsync(t => t.Number == number));
            await db.SaveChangesAsync();
        }
        (await NumbersAsync("paket")).Should().Equal(other);
        (await DocumentsAsync()).Select(d => d.Number).Should().Equal(other);
    }

    [Fact]
    public async Task A_rebuild_repairs_a_document_changed_behind_its_back()
    {
        var number = await OpenAsync("Lieferung", "Das Paket fehlt.");
        await using (var db = _factory.Database.NewContext())
            await db.Set<SearchDocument>().Where(d => d.Number == number).ExecuteUpdateAsync(s => s.SetProperty(d => d.Body, "verloren"));
        (await NumbersAsync("paket")).Should().BeEmpty();

        await using (var scope = _factory.Services.CreateAsyncScope())
            (await scope.ServiceProvider.GetRequiredService<SearchRebuild>().RunAsync(null, CancellationToken.None)).Rewritten.Should().Be(1);

        (await NumbersAsync("paket")).Should().Equal(number);
        (await NumbersAsync("verloren")).Should().BeEmpty();
    }

    [Fact]
    public async Task Finds_a_ticket_by_the_name_of_an_attachment_saved_with_it()
    {
        var number = await OpenAsync("Scan", "Anbei der Scan.");
        await using (var db = _factory.Database.NewContext())
        {
            var ticket = await db.Tickets.SingleAsync(t => t.Number == number);
            var article = await db.Articles.FirstAsync(a => a.TicketId == ticket.Id);
            db.Add(new Application.Mail.MailAttachment
            {
                Id = Guid.NewGuid(), ArticleId = article.Id, TicketId = ticket.Id, FileName = "Kontoauszug_März.pdf", ContentType = "application/pdf", Sha256 = "",
            });
            await db.SaveChangesAsync();
        }

        var item = (await SearchAsync("q=kontoauszug")).GetProperty("items")[0];

        item.GetProperty("number").GetInt32().Should().Be(number);
        Marked(item).Should().Be("[Kontoauszug]_März.pdf");
    }

    private async Task<List<SearchDocument>> DocumentsAsync()
    {
        await using var db = _factory.Database.NewContext();
        return await db.Set<SearchDocument>().AsNoTracking().OrderBy(d => d.Number).ToListAsync();
    }
}
