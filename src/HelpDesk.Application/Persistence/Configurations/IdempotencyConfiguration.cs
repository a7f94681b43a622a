using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HelpDesk.Application.Persistence.Configurations;

internal sealed class IdempotencyConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> b)
    {
        b.ToTable("IdempotencyRecords");
        // The key is unique per caller: the second of two concurrent requests with one key fails its insert and is answered
        // from the first one's row.
        b.HasKey(r => new { r.Scope, r.Key });
        b.Property(r => r.Scope).HasMaxLength(40);
        b.Property(r => r.Key).HasMaxLength(Common.IdempotentWrite.MaxKeyLength);
        b.Property(r => r.RequestHash).HasMaxLength(64);
        b.Property(r => r.Location).HasMaxLength(400);
        b.Property(r => r.Body).HasMaxLength(-1);
        // Expiry deletes by age (IdempotentWrite.DeleteExpiredAsync).
        b.HasIndex(r => r.CreatedAt);
    }
}
