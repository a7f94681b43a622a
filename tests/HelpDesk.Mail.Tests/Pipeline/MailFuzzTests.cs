using HelpDesk.Application.Mail;
using HelpDesk.Mail.Inbound;
using HelpDesk.Mail.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace HelpDesk.Mail.Tests.Pipeline;

/// <summary>
/// Hostile variants of the shared MIME corpus (<see cref="MimeMutator"/>, a fixed seed) through the mailgate's
/// pipeline: nothing escapes as an exception, nothing hangs past the parse timeout, and every message is stored and
/// either ingested or quarantined with a reason. The full count runs as <c>bench fuzz-mail</c> (docs/reliability.md).
/// </summary>
public sealed class MailFuzzTests(DeskFixture fixture, ITestOutputHelper output) : IClassFixture<DeskFixture>
{
    public const int Seed = 20261205;
    public static readonly int Count = int.TryParse(Environment.GetEnvironmentVariable("MAIL_FUZZ_COUNT"), out var n) ? n : 300;
    private readonly MailDeskFactory _desk = fixture.Desk;

    [Fact]
    public void The_mutator_is_repeatable_for_a_seed()
    {
        var corpus = MimeMutator.Load(Corpus.PathOf("mime"));
        var a = new MimeMutator(corpus, Seed);
        var b = new MimeMutator(corpus, Seed);

        Enumerable.Range(0, 50).Select(i => a.Mutant(i).Raw.SequenceEqual(b.Mutant(i).Raw)).Should().AllBeEquivalentTo(true);
        Enumerable.Range(0, 50).Select(i => a.Mutant(i).Kinds).SelectMany(k => k.Split('+')).Distinct().Should().BeEquivalentTo(MimeMutator.Kinds);
    }

    [Fact]
    public async Task A_message_id_with_a_nul_byte_is_stored_under_a_usable_id_and_processed()
    {
        // Found by the fuzzer (seed 20261205, #136): PostgreSQL refused the NUL in the MessageId column, so the raw bytes
        // were never stored.
        var raw = System.Text.Encoding.Latin1.GetBytes(
            "From: nul@example.test\r\nTo: support@helpdesk.test\r\nSubject: nul\r\nMessage-ID: <a\0b@example.test>\r\n\r\nHello\r\n");

        var outcome = await _desk.IngestAsync(raw, "fuzz-nul");

        var stored = await _desk.DbAsync(db => db.Set<InboundMail>().AsNoTracking().SingleAsync(m => m.Mailbox == "fuzz-nul"));
        stored.MessageId.Should().NotContain("\0");
        stored.State.Should().NotBe(InboundState.Stored);
        outcome.Outcome.Should().BeOneOf(MailOutcome.Created, MailOutcome.Quarantined);
    }

    [Fact]
    public async Task A_quarantined_message_with_a_nul_in_its_subject_is_quarantined_with_printable_text()
    {
        // Found by the fuzzer on PostgreSQL (seed 20261205, #136): the NUL in the subject made the quarantine itself fail.
        var raw = System.Text.Encoding.Latin1.GetBytes("To: support@helpdesk.test\r\nSubject: broken\0subject\r\nMessage-ID: <nul-subject@example.test>\r\n\r\nHello\r\n");

        var outcome = await _desk.IngestAsync(raw, "fuzz-nul-subject");

        outcome.Outcome.Should().Be(MailOutcome.Quarantined);
        var stored = await _desk.DbAsync(db => db.Set<InboundMail>().AsNoTracking().SingleAsync(m => m.Mailbox == "fuzz-nul-subject"));
        stored.Subject.Should().NotBeNull().And.NotContain("\0");
        stored.Reason.Should().NotContain("\0");
    }

    [Fact]
    public async Task A_message_whose_header_block_is_beyond_the_limit_is_quarantined_as_too_large_and_still_keyed_by_its_message_id()
    {
        // Found by the fuzzer on PostgreSQL (seed 20261205, #34 and #225 hit the hang guard under load): a header folded
        // 64,000 times costs MimeKit time growing with the square of the folds, and the message was read whole up to four times.
        var folded = "X-Fuzz: " + string.Join("\r\n ", Enumerable.Repeat("folded", 64_000));
        var raw = System.Text.Encoding.ASCII.GetBytes(
            $"From: folds@example.test\r\nTo: support@helpdesk.test\r\nSubject: many folds\r\nMessage-ID: <folds@example.test>\r\n{folded}\r\n\r\nHello\r\n");

        var outcome = await _desk.IngestAsync(raw, "fuzz-folds");

        outcome.Outcome.Should().Be(MailOutcome.Quarantined);
        outcome.ReasonCode.Should().Be(QuarantineReason.TooLarge);
        outcome.Reason.Should().Contain("more than the 102400");
        var stored = await _desk.DbAsync(db => db.Set<InboundMail>().AsNoTracking().SingleAsync(m => m.Mailbox == "fuzz-folds"));
        stored.Raw.Should().Equal(raw);
        stored.MessageId.Should().Be("folds@example.test", "the fields before the limit are still read");
        (stored.Sender, stored.Subject).Should().Be(("folds@example.test", "many folds"));
        (await _desk.IngestAsync(raw, "fuzz-folds")).Outcome.Should().Be(MailOutcome.Duplicate);
    }

    [Fact]
    public async Task Mutated_messages_are_each_stored_then_ingested_or_quarantined_with_a_reason_without_exceptions_or_hangs()
    {
        var mutator = new MimeMutator(MimeMutator.Load(Corpus.PathOf("mime")), Seed);
        // A guard against a hang, not a speed check: parsing and reading bodies each stop at the parse timeout (10 s).
        var hang = TimeSpan.FromSeconds(2 * new MailOptions().ParseTimeoutSeconds + 30);
        var failures = new List<string>();
        for (var i = 0; i < Count; i++)
        {
            var (raw, kinds) = mutator.Mutant(i);
            var mailbox = $"fuzz-{i}";
            var watch = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                var outcome = await _desk.IngestAsync(raw, mailbox).WaitAsync(hang);
                var stored = await _desk.DbAsync(db => db.Set<InboundMail>().AsNoTracking().SingleAsync(m => m.Mailbox == mailbox));
                if (!stored.Raw.AsSpan().SequenceEqual(raw)) failures.Add($"#{i} ({kinds}): stored bytes differ");
                if (stored.State == InboundState.Stored) failures.Add($"#{i} ({kinds}): left unprocessed");
                if (outcome.Outcome == MailOutcome.Quarantined && string.IsNullOrWhiteSpace(outcome.Reason)) failures.Add($"#{i} ({kinds}): quarantined without a reason");
            }
            catch (Exception ex)
            {
                failures.Add($"#{i} ({kinds}): {ex.GetType().Name}: {ex.GetBaseException().Message}");
            }
            // Not an assertion: the slow ones are printed so a hang-guard failure can be traced to its mutation.
            if (watch.Elapsed > TimeSpan.FromSeconds(0.5)) output.WriteLine($"#{i} ({kinds}, {raw.Length / 1024} KiB): {watch.Elapsed.TotalSeconds:F1} s");
        }
        failures.Should().BeEmpty();
    }
}
