using HelpDesk.Application.Mail;
using HelpDesk.Mail.Inbound;
using HelpDesk.Mail.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Mail.Tests.Pipeline;

/// <summary>
/// Hostile variants of the shared MIME corpus (<see cref="MimeMutator"/>, a fixed seed) through the mailgate's
/// pipeline: nothing escapes as an exception, nothing hangs past the parse timeout, and every message is stored and
/// either ingested or quarantined with a reason. The full count runs as <c>bench fuzz-mail</c> (docs/reliability.md).
/// </summary>
public sealed class MailFuzzTests(DeskFixture fixture) : IClassFixture<DeskFixture>
{
    public const int Seed = 20261205, Count = 300;
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
                failures.Add($"#{i} ({kinds}): {ex.GetType().Name}: {ex.Message}");
            }
        }
        failures.Should().BeEmpty();
    }
}
