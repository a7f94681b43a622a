using HelpDesk.Domain.Customers;

namespace HelpDesk.Domain.Tests.Customers;

/// <summary>The customer's name and the name each of their messages is signed with (docs/email.md, "Who wrote it").</summary>
public class CustomerNameTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    [InlineData("\"\"")]
    [InlineData("Team@Acme.test")]
    [InlineData("\"team@acme.test\"")]
    public void A_customer_without_a_real_name_is_called_by_the_address(string? name) =>
        new Customer(Guid.NewGuid(), "team@acme.test", name).Name.Should().Be("team@acme.test");

    [Fact]
    public void A_customer_without_a_name_learns_the_first_real_display_name_and_never_another()
    {
        var customer = new Customer(Guid.NewGuid(), "team@acme.test", null);
        customer.LearnName("team@acme.test");
        customer.Name.Should().Be("team@acme.test", "the address is no name");
        customer.LearnName("  Alice   Acme ");
        customer.Name.Should().Be("Alice Acme");
        customer.LearnName("Bob Acme");
        customer.Name.Should().Be("Alice Acme", "a different display name on a later mail never overwrites");
    }

    [Fact]
    public void A_message_is_signed_with_its_own_display_name_or_the_address_when_it_gave_none()
    {
        var customer = new Customer(Guid.NewGuid(), "team@acme.test", "Alice Acme");
        customer.NameIn("Bob Acme").Should().Be("Bob Acme");
        customer.NameIn(null).Should().Be("team@acme.test", "a message without a name is not Alice's");
        customer.NameIn("TEAM@acme.test").Should().Be("team@acme.test");
        customer.NameIn(new string('x', 300)).Should().HaveLength(Customer.MaxNameLength);
    }
}
