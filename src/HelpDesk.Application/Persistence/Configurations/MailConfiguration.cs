using HelpDesk.Application.Mail;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HelpDesk.Application.Persistence.Configurations;

internal sealed class InboundMailConfiguration : IEntityTypeConfiguration<InboundMail>
{
    public void Configure(EntityTypeBuilder<InboundMail> b)
    {
        b.ToTable("InboundMails");
        b.HasKey(m => m.Id);
        b.Property(m => m.Id).ValueGeneratedNever();
        b.Property(m => m.Mailbox).HasMaxLength(100);
        b.Property(m => m.MessageId).HasMaxLength(400);
        b.Property(m => m.Sha256).HasMaxLength(64);
        b.Property(m => m.Raw).HasMaxLength(-1);
        b.Property(m => m.Source).HasMaxLength(200);
        b.Property(m => m.State).HasConversion<string>().HasMaxLength(12);
        b.Property(m => m.Outcome).HasMaxLength(20);
        b.Property(m => m.Reason).HasMaxLength(2000);
        b.Property(m => m.ReasonCode).HasMaxLength(40);
        b.Property(m => m.SenderFix).HasMaxLength(254);
        b.Property(m => m.Sender).HasMaxLength(500);
        b.Property(m => m.Subject).HasMaxLength(500);
        b.Property(m => m.DiscardedBy).HasMaxLength(254);
        b.HasIndex(m => new { m.Mailbox, m.MessageId }).IsUnique();
        b.HasIndex(m => new { m.State, m.ReceivedAt });
    }
}

internal sealed class MailCheckpointConfiguration : IEntityTypeConfiguration<MailCheckpoint>
{
    public void Configure(EntityTypeBuilder<MailCheckpoint> b)
    {
        b.ToTable("MailCheckpoints");
        b.HasKey(c => c.Key);
        b.Property(c => c.Key).HasMaxLength(300);
    }
}

internal sealed class ArticleMailConfiguration : IEntityTypeConfiguration<ArticleMail>
{
    public void Configure(EntityTypeBuilder<ArticleMail> b)
    {
        b.ToTable("ArticleMails");
        b.HasKey(m => m.ArticleId);
        b.Property(m => m.ArticleId).ValueGeneratedNever();
        b.Property(m => m.MessageId).HasMaxLength(400);
        b.Property(m => m.ThreadedBy).HasMaxLength(30);
        b.Property(m => m.Classification).HasMaxLength(20);
        b.Property(m => m.ReplyTo).HasMaxLength(400);
        b.Property(m => m.HtmlWithRemoteImages).HasMaxLength(-1);
        b.Property(m => m.Notes).HasMaxLength(4000);
        b.HasIndex(m => m.MessageId);
        b.HasIndex(m => m.TicketId);
    }
}

internal sealed class MailAttachmentConfiguration : IEntityTypeConfiguration<MailAttachment>
{
    public void Configure(EntityTypeBuilder<MailAttachment> b)
    {
        b.ToTable("MailAttachments");
        b.HasKey(a => a.Id);
        b.Property(a => a.Id).ValueGeneratedNever();
        b.Property(a => a.FileName).HasMaxLength(400);
        b.Property(a => a.ContentType).HasMaxLength(200);
        b.Property(a => a.Sha256).HasMaxLength(64);
        b.Property(a => a.ContentId).HasMaxLength(400);
        b.Property(a => a.Content).HasMaxLength(-1);
        b.Property(a => a.RefusedReason).HasMaxLength(400);
        b.HasIndex(a => a.ArticleId);
    }
}

internal sealed class OutboxMailConfiguration : IEntityTypeConfiguration<OutboxMail>
{
    public void Configure(EntityTypeBuilder<OutboxMail> b)
    {
        b.ToTable("OutboxMails");
        b.HasKey(m => m.Id);
        b.Property(m => m.Id).ValueGeneratedNever();
        b.Property(m => m.Kind).HasMaxLength(20);
        b.Property(m => m.To).HasMaxLength(2000);
        b.Property(m => m.Cc).HasMaxLength(2000);
        b.Property(m => m.Subject).HasMaxLength(1000);
        b.Property(m => m.BodyText).HasMaxLength(-1);
        b.Property(m => m.MessageId).HasMaxLength(400);
        b.Property(m => m.InReplyTo).HasMaxLength(400);
        b.Property(m => m.References).HasMaxLength(-1);
        b.Property(m => m.State).HasConversion<string>().HasMaxLength(10);
        b.Property(m => m.LastError).HasMaxLength(2000);
        b.HasIndex(m => new { m.State, m.NextAttemptAt });
        b.HasIndex(m => m.MessageId);
        b.HasIndex(m => new { m.To, m.IsAutomatic, m.CreatedAt });
        // A ticket's outgoing mail: the References of every new message, and threading replies to it.
        b.HasIndex(m => m.TicketId);
    }
}

internal sealed class MailSettingConfiguration : IEntityTypeConfiguration<MailSetting>
{
    public void Configure(EntityTypeBuilder<MailSetting> b)
    {
        b.ToTable("MailSettings");
        b.HasKey(s => s.Name);
        b.Property(s => s.Name).HasMaxLength(100);
        b.Property(s => s.Value).HasMaxLength(400);
    }
}

internal sealed class UndeliverableAddressConfiguration : IEntityTypeConfiguration<UndeliverableAddress>
{
    public void Configure(EntityTypeBuilder<UndeliverableAddress> b)
    {
        b.ToTable("UndeliverableAddresses");
        b.HasKey(a => a.Address);
        b.Property(a => a.Address).HasMaxLength(254);
        b.Property(a => a.Reason).HasMaxLength(400);
    }
}

internal sealed class StoredMailboxConfiguration : IEntityTypeConfiguration<StoredMailbox>
{
    public void Configure(EntityTypeBuilder<StoredMailbox> b)
    {
        b.ToTable("Mailboxes");
        b.HasKey(m => m.Id);
        b.Property(m => m.Id).ValueGeneratedNever();
        b.Property(m => m.Name).HasMaxLength(100);
        b.HasIndex(m => m.Name).IsUnique();
        b.Property(m => m.ImapHost).HasMaxLength(253);
        b.Property(m => m.ImapUsername).HasMaxLength(254);
        b.Property(m => m.ImapPasswordProtected).HasMaxLength(4000);
        b.Property(m => m.Folder).HasMaxLength(200);
        b.Property(m => m.Team).HasMaxLength(100);
        b.Property(m => m.SmtpHost).HasMaxLength(253);
        b.Property(m => m.SmtpUsername).HasMaxLength(254);
        b.Property(m => m.SmtpPasswordProtected).HasMaxLength(4000);
        b.Property(m => m.UpdatedBy).HasMaxLength(254);
        b.Property(m => m.Version).IsConcurrencyToken();
    }
}

internal sealed class MailboxStatusConfiguration : IEntityTypeConfiguration<MailboxStatus>
{
    public void Configure(EntityTypeBuilder<MailboxStatus> b)
    {
        b.ToTable("MailboxStatuses");
        b.HasKey(s => s.Name);
        b.Property(s => s.Name).HasMaxLength(100);
        b.Property(s => s.LastError).HasMaxLength(2000);
    }
}

internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKeyRecord>
{
    public void Configure(EntityTypeBuilder<DataProtectionKeyRecord> b)
    {
        b.ToTable("DataProtectionKeys");
        b.HasKey(k => k.Id);
        b.Property(k => k.FriendlyName).HasMaxLength(200);
        b.Property(k => k.Xml).HasMaxLength(-1);
    }
}
