using System.Xml.Linq;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Web.Hosting;

/// <summary>
/// One Data Protection key ring for every node (auth cookies, antiforgery, stored mailbox passwords): in the directory
/// <c>HelpDesk:DataProtection:KeysDirectory</c> when one is configured (a shared volume), otherwise in the database
/// (table DataProtectionKeys). A key ring that lived only in one process would log everyone out on restart and make
/// stored mailbox passwords unreadable, so it is never left to the default.
/// </summary>
public static class DataProtectionSetup
{
    public const string ApplicationName = "HelpDesk";
    public const string KeysDirectoryKey = "HelpDesk:DataProtection:KeysDirectory";

    public static IServiceCollection AddHelpDeskDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        var builder = services.AddDataProtection().SetApplicationName(ApplicationName);
        if (configuration[KeysDirectoryKey] is { Length: > 0 } directory) builder.PersistKeysToFileSystem(new DirectoryInfo(directory));
        else services.AddOptions<KeyManagementOptions>().Configure<IServiceScopeFactory>((o, scopes) => o.XmlRepository = new DatabaseKeyRepository(scopes));
        return services;
    }

    /// <summary>Where the key ring is kept (the settings health names a ring that is not shared), null when in no lasting place.</summary>
    public static string? KeyRingStore(KeyManagementOptions options) => options.XmlRepository switch
    {
        DatabaseKeyRepository => "database",
        FileSystemXmlRepository f => $"directory {f.Directory.FullName}",
        null => null,
        var other => other.GetType().Name,
    };

    /// <summary>The key ring in the database; each call a scope of its own (Data Protection is a singleton).</summary>
    private sealed class DatabaseKeyRepository(IServiceScopeFactory scopes) : IXmlRepository
    {
        public IReadOnlyCollection<XElement> GetAllElements()
        {
            using var scope = scopes.CreateScope();
            return scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>().Set<DataProtectionKeyRecord>().AsNoTracking()
                .OrderBy(k => k.Id).Select(k => k.Xml).ToList().Select(x => XElement.Parse(x)).ToList();
        }

        public void StoreElement(XElement element, string friendlyName)
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
            db.Add(new DataProtectionKeyRecord { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
            db.SaveChanges();
        }
    }
}
