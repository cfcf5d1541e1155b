using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CloneFlow.Core.ServiceNow.Tables;

namespace CloneFlow.Core.ServiceNow.Clones;

/// <summary>Reads and finds clone request records; shared by the drivers.</summary>
internal sealed class CloneRecords
{
    private readonly ServiceNowClient _source;
    private readonly CloneTableOptions _table;

    public CloneRecords(ServiceNowClient source, CloneTableOptions table)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(table);
        table.Validate();
        _source = source;
        _table = table;
    }

    public CloneTableOptions Table => _table;

    public ServiceNowClient Source => _source;

    /// <summary>The request record's sys_id for a run: the same run always maps to the same record.</summary>
    public static string RequestSysId(string runId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("cloneflow-clone-request:" + runId)))[..32];

    public async Task<CloneStatus?> ByNumberAsync(string number, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(number);
        await foreach (var row in _source.GetRecordsAsync(_table.Table, TableQuery.Where(_table.NumberField, number.Trim()), cancellationToken: cancellationToken))
        {
            return ToStatus(row);
        }

        return null;
    }

    public async Task<CloneStatus?> BySysIdAsync(string sysId, CancellationToken cancellationToken) =>
        await _source.GetRecordAsync(_table.Table, sysId, cancellationToken: cancellationToken) is { } row ? ToStatus(row) : null;

    public async Task<CloneStatus?> OpenForTargetAsync(string target, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        var query = TableQuery.Where(_table.TargetField, target);
        await foreach (var row in _source.GetRecordsAsync(_table.Table, query, cancellationToken: cancellationToken))
        {
            var status = ToStatus(row);
            if (status.State.IsOpen())
            {
                return status;
            }
        }

        return null;
    }

    public CloneStatus ToStatus(ServiceNowRecord row)
    {
        var raw = row.Get(_table.StateField) ?? string.Empty;
        var state = CloneStates.Parse(raw);
        var phase = row.Get(_table.PhaseField) ?? string.Empty;
        int? percent = int.TryParse(row.Get(_table.PercentField), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : null;
        return new CloneStatus(
            row.Get(_table.NumberField) ?? string.Empty,
            row.SysId,
            state,
            raw,
            phase,
            percent,
            row.Get(_table.MessageField),
            row.Get(_table.SourceField) ?? string.Empty,
            row.Get(_table.TargetField) ?? string.Empty,
            CanCancel(state, phase),
            row.Values);
    }

    private bool CanCancel(CloneState state, string phase)
    {
        if (state is CloneState.Requested or CloneState.Scheduled or CloneState.Draft)
        {
            return true;
        }

        if (state is not (CloneState.Active or CloneState.Hold))
        {
            return false;
        }

        var phases = _table.Phases.ToList();
        var current = phases.FindIndex(p => string.Equals(p, phase, StringComparison.OrdinalIgnoreCase));
        var repoint = phases.FindIndex(p => string.Equals(p, _table.NodeRepointPhase, StringComparison.OrdinalIgnoreCase));

        // An unknown phase is treated as past the point of no return: never promise a safe cancel.
        return current >= 0 && repoint >= 0 && current < repoint;
    }
}
