using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Azure.Storage.Blobs;
using CloneFlow.Core.Activities;
using CloneFlow.Core.Approvals;
using CloneFlow.Core.Artifacts;
using CloneFlow.Core.Configuration;
using CloneFlow.Core.Notifications;
using CloneFlow.Core.Runtime;
using CloneFlow.Core.Secrets;
using CloneFlow.Functions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = FunctionsApplication.CreateBuilder(args);

// ASP.NET Core integration: HTTP triggers take HttpRequest and return IResult, so the HTTP handlers
// in CloneFlow.Core serve this host and the local host alike.
builder.ConfigureFunctionsWebApplication();

// Telemetry to Application Insights (Entra auth through APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
builder.Services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();

var settings = new FunctionSettings(Environment.GetEnvironmentVariable);
builder.Services.AddSingleton(settings);
var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = settings.ClientId });
builder.Services.AddSingleton(_ => ConfigurationLoader.LoadFileAsync(settings.ConfigurationPath).GetAwaiter().GetResult());
builder.Services.AddSingleton<ISecretProvider>(_ => settings.KeyVaultUri is { } vault
    ? new KeyVaultSecretProvider(new SecretClient(vault, credential))
    : new EnvironmentSecretProvider());
builder.Services.AddSingleton<IServiceNowClients, ServiceNowClients>();
builder.Services.AddSingleton(_ => new RunArtifactStore(settings.ArtifactsBlobUri is { } blobs
    ? new BlobContainerClient(new Uri(blobs, settings.ArtifactsContainer), credential)
    : new BlobContainerClient(settings.StorageConnectionString, settings.ArtifactsContainer)));
builder.Services.AddSingleton(sp => new RunServices(sp.GetRequiredService<CloneFlowConfiguration>(), sp.GetRequiredService<IServiceNowClients>(), sp.GetRequiredService<RunArtifactStore>()));
builder.Services.AddSingleton(sp => new ApprovalTokenService(
    ApprovalSigningKeys.FromSecretsAsync(
        sp.GetRequiredService<ISecretProvider>(),
        new ApprovalSigningKeyOptions { CurrentKeyId = "k1", KeySecretNames = new Dictionary<string, string> { ["k1"] = settings.ApprovalKeySecretName } },
        CancellationToken.None).GetAwaiter().GetResult(),
    TimeProvider.System));
builder.Services.AddSingleton(sp => new ApprovalLinks(sp.GetRequiredService<ApprovalTokenService>(), settings.ApprovalBaseUrl));
builder.Services.AddSingleton<IApprovalTokenLedger>(_ => new BlobApprovalTokenLedger(settings.ArtifactsBlobUri is { } blobs
    ? new BlobContainerClient(new Uri(blobs, "cloneflow-approvals"), credential)
    : new BlobContainerClient(settings.StorageConnectionString, "cloneflow-approvals")));
builder.Services.AddSingleton(sp => new ApprovalDecisionRecorder(sp.GetRequiredService<ApprovalTokenService>(), sp.GetRequiredService<IApprovalTokenLedger>(), TimeProvider.System));

// Notifications: always logged; Teams and e-mail when configured. Their HttpClient logs no URLs
// (the Teams webhook URL is a secret).
builder.Services.AddHttpClient("notifications").RemoveAllLoggers();
builder.Services.AddSingleton<INotifier>(sp =>
{
    var http = sp.GetRequiredService<IHttpClientFactory>();
    var logs = sp.GetRequiredService<ILoggerFactory>();
    var channels = new List<INotifier> { new LoggingNotifier(logs.CreateLogger<LoggingNotifier>()) };
    if (settings.TeamsWebhookSecretName is { } webhook)
    {
        channels.Add(new TeamsWorkflowNotifier(http.CreateClient("notifications"), sp.GetRequiredService<ISecretProvider>(), new TeamsWorkflowOptions { WebhookSecretName = webhook }, logs.CreateLogger<TeamsWorkflowNotifier>()));
    }

    if (settings.MailSender is { } sender)
    {
        channels.Add(new GraphMailNotifier(http.CreateClient("notifications"), credential, new GraphMailOptions { Sender = sender }, logs.CreateLogger<GraphMailNotifier>()));
    }

    return new CompositeNotifier(channels, logs.CreateLogger<CompositeNotifier>());
});

// Every Core activity, resolved by its activity trigger.
foreach (var activity in typeof(CloneFlowActivity<,>).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && t.BaseType is { IsGenericType: true } b && b.GetGenericTypeDefinition() == typeof(CloneFlowActivity<,>)))
{
    builder.Services.AddTransient(activity);
}

builder.Build().Run();
