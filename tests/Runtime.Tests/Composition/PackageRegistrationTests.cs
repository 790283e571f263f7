using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PromptOps.Budgets;
using PromptOps.Tests.Infrastructure;

namespace PromptOps.Tests.Composition;

/// <summary>
/// The optional packages (PromptOps.Redis, PromptOps.Sqlite) register themselves; a setting meant for one that was not
/// registered fails start-up and the pipeline's build, naming the package and the call, instead of being ignored.
/// </summary>
public sealed class PackageRegistrationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "promptops-packages-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static IConfigurationSection Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("PromptOps:" + v.Key, v.Value)))
            .Build()
            .GetSection("PromptOps");

    [Fact]
    public void Redis_configured_without_AddPromptOpsRedis_fails_naming_the_package_and_the_call()
    {
        var services = new ServiceCollection();
        services.AddPromptOps(Config(("Redis:Configuration", "127.0.0.1:6379")));
        services.AddChatClient(new RecordingChatClient()).UsePromptOps();
        using var sp = services.BuildServiceProvider();

        // At start-up (ValidateOnStart reads the options) and when the pipeline is built.
        var start = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value);
        var build = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IChatClient>());
        foreach (var message in new[] { start.Message, build.Message })
        {
            Assert.Contains("PromptOps:Redis:Configuration", message, StringComparison.Ordinal);
            Assert.Contains("PromptOps.Redis", message, StringComparison.Ordinal);
            Assert.Contains("services.AddPromptOpsRedis()", message, StringComparison.Ordinal);
            Assert.DoesNotContain("SQLite", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_ledger_path_without_AddPromptOpsSqliteLedger_fails_naming_the_package_and_writes_nothing()
    {
        var path = Path.Combine(_dir, "ledger.db");
        var services = new ServiceCollection();
        services.AddPromptOps(Config(("Ledger:SqlitePath", path)));
        services.AddChatClient(new RecordingChatClient()).UsePromptOps();
        using var sp = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IChatClient>());
        Assert.Contains("PromptOps:Ledger:SqlitePath", e.Message, StringComparison.Ordinal);
        Assert.Contains("PromptOps.Sqlite", e.Message, StringComparison.Ordinal);
        Assert.Contains("services.AddPromptOpsSqliteLedger()", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Redis", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Both_settings_without_their_packages_are_both_named()
    {
        var services = new ServiceCollection();
        services.AddPromptOps(Config(("Redis:Configuration", "127.0.0.1:6379"), ("Ledger:SqlitePath", Path.Combine(_dir, "ledger.db"))));
        using var sp = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value);
        Assert.Contains("AddPromptOpsRedis()", e.Message, StringComparison.Ordinal);
        Assert.Contains("AddPromptOpsSqliteLedger()", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_made_in_UsePromptOps_without_a_container_are_checked_too()
    {
        var builder = new ChatClientBuilder(new RecordingChatClient()).UsePromptOps(o => o.Redis.Configuration = "127.0.0.1:6379");
        var e = Assert.Throws<InvalidOperationException>(() => builder.Build());
        Assert.Contains("services.AddPromptOpsRedis()", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_the_registrations_the_same_settings_build()
    {
        var services = new ServiceCollection();
        services.AddPromptOps(Config(("Ledger:SqlitePath", Path.Combine(_dir, "ledger.db"))));
        services.AddPromptOpsSqliteLedger();
        services.AddPromptOpsRedis(); // no connection configured: registered, nothing connects
        services.AddChatClient(new RecordingChatClient()).UsePromptOps();
        using var sp = services.BuildServiceProvider();

        Assert.NotNull(sp.GetRequiredService<IChatClient>());
        Assert.IsType<InMemoryBudgetStore>(sp.GetRequiredService<IBudgetStore>());
    }

    [Fact]
    public void An_invalid_redis_connection_string_fails_at_start_up_naming_it()
    {
        var services = new ServiceCollection();
        services.AddPromptOps(Config(("Redis:Configuration", "127.0.0.1:6379,nosuchkeyword=1"))).AddPromptOpsRedis();
        using var sp = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value);
        Assert.Contains("PromptOps:Redis:Configuration '127.0.0.1:6379,nosuchkeyword=1' is not a valid StackExchange.Redis configuration", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AddPromptOpsRedis_replaces_the_in_memory_default_in_either_order_and_keeps_an_applications_own_store(bool redisFirst)
    {
        var services = new ServiceCollection();
        if (redisFirst) services.AddPromptOpsRedis();
        services.AddPromptOps(o => o.Redis.Configuration = "127.0.0.1:6379");
        if (!redisFirst) services.AddPromptOpsRedis();
        var store = Assert.Single(services, d => d.ServiceType == typeof(IBudgetStore));
        Assert.NotNull(store.ImplementationFactory);
        Assert.False(Equals(store.ImplementationFactory, PromptOpsServiceCollectionExtensions.DefaultBudgetStore));

        var own = new InMemoryBudgetStore();
        var mine = new ServiceCollection();
        mine.AddSingleton<IBudgetStore>(own);
        if (redisFirst) mine.AddPromptOpsRedis();
        mine.AddPromptOps(o => o.Redis.Configuration = "127.0.0.1:6379");
        if (!redisFirst) mine.AddPromptOpsRedis();
        using var sp = mine.BuildServiceProvider();
        Assert.Same(own, sp.GetRequiredService<IBudgetStore>());
    }
}
