using HelpDesk.Application.Auth;
using Microsoft.AspNetCore.Identity;

namespace HelpDesk.Web.Tests.Auth;

/// <summary>Our PBKDF2 hasher must read and write ASP.NET Core Identity's format: hashes stored before it existed keep working.</summary>
public sealed class PasswordHashingTests
{
    private static readonly PasswordHasher<object> Identity = new();

    [Fact]
    public void Verifies_a_hash_written_by_aspnet_identity()
    {
        var stored = Identity.HashPassword(new object(), "correct horse battery");

        PasswordHashing.Verify(stored, "correct horse battery").Should().Be(PasswordHashing.Result.Success);
        PasswordHashing.Verify(stored, "wrong horse battery").Should().Be(PasswordHashing.Result.Failed);
    }

    [Fact]
    public void Writes_hashes_aspnet_identity_accepts_without_a_rehash()
    {
        var stored = PasswordHashing.Hash("correct horse battery");

        Identity.VerifyHashedPassword(new object(), stored, "correct horse battery").Should().Be(PasswordVerificationResult.Success);
        Identity.VerifyHashedPassword(new object(), stored, "wrong").Should().Be(PasswordVerificationResult.Failed);
    }

    [Fact]
    public void Asks_for_a_rehash_of_weaker_parameters()
    {
        var weaker = new PasswordHasher<object>(Microsoft.Extensions.Options.Options.Create(new PasswordHasherOptions { IterationCount = 10_000 }))
            .HashPassword(new object(), "correct horse battery");

        PasswordHashing.Verify(weaker, "correct horse battery").Should().Be(PasswordHashing.Result.SuccessRehashNeeded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("AQAAAAIAAYag")]
    public void Refuses_garbage(string stored) =>
        PasswordHashing.Verify(stored, "anything").Should().Be(PasswordHashing.Result.Failed);
}
