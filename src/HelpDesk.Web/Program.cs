using HelpDesk.Web.Cli;

return await HelpDeskCli.RunAsync(args, Console.In, Console.Out, Console.Error);

/// <summary>The entry point type, for WebApplicationFactory.</summary>
public partial class Program;
