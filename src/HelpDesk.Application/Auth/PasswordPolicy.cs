using System.Collections.Frozen;
using FluentValidation;

namespace HelpDesk.Application.Auth;

/// <summary>
/// Password rules after NIST SP 800-63B (docs/security.md "Accounts"): at least <see cref="MinimumLength"/> characters, at
/// most <see cref="MaximumLength"/>, any characters, no composition rules, and not one of the commonly used passwords
/// shipped with the application (<c>common-passwords.txt</c>, embedded), compared without regard to case.
/// </summary>
public static class PasswordPolicy
{
    public const int MinimumLength = 8;
    public const int MaximumLength = 256;

    private static readonly Lazy<FrozenSet<string>> Common = new(Load);

    /// <summary>Why <paramref name="password"/> may not be used, or null.</summary>
    public static string? Problem(string password) =>
        password.Length < MinimumLength ? $"must be at least {MinimumLength} characters."
        : password.Length > MaximumLength ? $"must be at most {MaximumLength} characters."
        : IsCommon(password) ? "is one of the most commonly used passwords; choose another." : null;

    public static bool IsCommon(string password) => Common.Value.Contains(password.Trim().ToLowerInvariant());

    /// <summary>The rule for a validator: the message names the field (<c>'newPassword' must be …</c>).</summary>
    public static IRuleBuilderOptions<T, string> Password<T>(this IRuleBuilder<T, string> rule) =>
        rule.Must(password => password is null || Problem(password) is null)
            .WithMessage((_, password) => "'{PropertyName}' " + Problem(password));

    private static FrozenSet<string> Load()
    {
        using var stream = typeof(PasswordPolicy).Assembly.GetManifestResourceStream("HelpDesk.Application.Auth.common-passwords.txt")
            ?? throw new InvalidOperationException("The common-password list is missing from the build.");
        using var reader = new StreamReader(stream);
        var words = new List<string>();
        while (reader.ReadLine() is { } line)
            if (line.Length > 0 && line[0] != '#') words.Add(line.Trim().ToLowerInvariant());
        return words.ToFrozenSet(StringComparer.Ordinal);
    }
}
