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
        Name = string.IsNullOrWhiteSpace(name) ? Email : name.Trim();
        Organisation = string.IsNullOrWhiteSpace(organisation) ? null : organisation.Trim();
    }

    public Guid Id { get; private set; }
    public string Email { get; private set; }
    public string Name { get; private set; }
    public string? Organisation { get; private set; }

    /// <summary>A later message may carry a better display name than the address we first saw.</summary>
    public void LearnName(string? name)
    {
        if (!string.IsNullOrWhiteSpace(name) && Name == Email) Name = name.Trim();
    }
}
