using System.Reflection;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Tickets;
using HelpDesk.Mail.Inbound;
using NetArchTest.Rules;

namespace HelpDesk.Architecture.Tests;

/// <summary>
/// The arrows of docs/architecture.md "Layers", checked on the compiled assemblies: both the assemblies each layer
/// references and the types its code uses, so a wrong arrow fails here rather than in review.
/// </summary>
public sealed class LayeringTests
{
    private static readonly Assembly Domain = typeof(Ticket).Assembly;
    private static readonly Assembly Application = typeof(HelpDeskDbContext).Assembly;
    private static readonly Assembly Mail = typeof(MailClassifier).Assembly;

    // Trailing dots: NetArchTest matches by prefix, and "HelpDesk.Mail" would also match "HelpDesk.Mailgate".
    private const string WebNamespace = "HelpDesk.Web.";
    private const string MailNamespace = "HelpDesk.Mail.";
    private const string WebAssembly = "helpdesk";

    [Fact]
    public void Domain_references_only_NodaTime_and_the_base_class_library()
    {
        ReferencedAssemblies(Domain).Where(name => !IsBaseClassLibrary(name) && name != "NodaTime")
            .Should().BeEmpty("the domain holds the rules and nothing else (EF, the mediator, I/O live outside)");
        // Our namespace only: collection expressions make the compiler add helper types (<>z__ReadOnlyArray) at the root.
        Check(Types.InAssembly(Domain).That().ResideInNamespace("HelpDesk.Domain").Should().OnlyHaveDependenciesOn("HelpDesk.Domain", "NodaTime", "System", "Microsoft.CodeAnalysis"));
    }

    [Fact]
    public void Domain_references_no_other_HelpDesk_layer() =>
        Check(Types.InAssembly(Domain).ShouldNot().HaveDependencyOnAny("HelpDesk.Application.", MailNamespace, WebNamespace));

    [Fact]
    public void Application_never_references_Web_or_Mail()
    {
        ReferencedAssemblies(Application).Should().NotContain([WebAssembly, Mail.GetName().Name!]);
        Check(Types.InAssembly(Application).ShouldNot().HaveDependencyOnAny(WebNamespace, MailNamespace));
    }

    [Fact]
    public void Mail_never_references_Web()
    {
        ReferencedAssemblies(Mail).Should().NotContain(WebAssembly);
        Check(Types.InAssembly(Mail).ShouldNot().HaveDependencyOn(WebNamespace));
    }

    [Fact]
    public void Application_uses_no_HTTP_or_ASP_NET_Core_types()
    {
        ReferencedAssemblies(Application).Where(name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || name.StartsWith("System.Net.Http", StringComparison.Ordinal))
            .Should().BeEmpty("HTTP is the host's concern; use cases are sent by the web host, the CLI and the mail channel alike");
        Check(Types.InAssembly(Application).ShouldNot().HaveDependencyOnAny("Microsoft.AspNetCore", "System.Net.Http"));
    }

    private static IEnumerable<string> ReferencedAssemblies(Assembly assembly) => assembly.GetReferencedAssemblies().Select(a => a.Name!);

    private static bool IsBaseClassLibrary(string name) =>
        name is "mscorlib" or "netstandard" or "System" || name.StartsWith("System.", StringComparison.Ordinal);

    private static void Check(ConditionList rule)
    {
        var result = rule.GetResult();
        result.IsSuccessful.Should().BeTrue("these types break the layering: {0}", string.Join(", ", result.FailingTypeNames ?? []));
    }
}
