using HelpDesk.Domain.Common;

namespace HelpDesk.Domain.Customers;

/// <summary>Someone who asks for help (usually by e-mail, without an account). One customer per address.</summary>
public sealed class Customer
{
    private Customer() { Email = ""; Name = ""; }

    public Customer(Guid id, string email, string? name, string? organisation = null)
    {
        Id = id;
        Email = EmailAddress.Normalise(email);
        Name = RealName(name, Email) ?? Email;
        Organisation = string.IsNullOrWhiteSpace(organisation) ? null : organisation.Trim();
    }

    public Guid Id { get; private set; }
    public string Email { get; private set; }
    public string Name { get; private set; }
    public string? Organisation { get; private set; }

    /// <summary>Longest name kept (the article's author column has the same length).</summary>
    public const int MaxNameLength = 200;

    /// <summary>
    /// The customer's name learns from a message only while it is no name at all (the address): the first real display name
    /// is taken, a different one on a later message never overwrites it (a shared mailbox, a colleague, a name change:
    /// each article keeps its own, <see cref="NameIn"/>). docs/email.md, "Who wrote it".
    /// </summary>
    public void LearnName(string? name)
    {
        if (Name == Email && RealName(name, Email) is { } real) Name = real;
    }

    /// <summary>The name a message from this address was signed with: its display name, or the address when it gave none.</summary>
    public string NameIn(string? displayName) => RealName(displayName, Email) ?? Email;

    /// <summary>
    /// A display name as a message or a caller gave it, or null when it is none: blank, only quotes, or the address
    /// itself (<c>"bob@example.com" &lt;bob@example.com&gt;</c>). Whitespace runs become one space; cut to <see cref="MaxNameLength"/>.
    /// </summary>
    private static readonly char[] NameQuotes = "\"' ".ToCharArray(); // from a string: a char literal list compiles to <PrivateImplementationDetails> data, which the layering test refuses

    public static string? RealName(string? name, string email)
    {
        if (name is null) return null;
        var clean = string.Join(' ', name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Trim(NameQuotes);
        if (clean.Length == 0 || string.Equals(clean, email, StringComparison.OrdinalIgnoreCase)) return null;
        return clean.Length > MaxNameLength ? clean[..MaxNameLength] : clean;
    }
}
