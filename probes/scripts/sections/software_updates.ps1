# Source: CCM_SoftwareUpdate in root\ccm\ClientSDK - ArticleID, UpdateID, EvaluationState (13 = error),
# ErrorCode, MaxExecutionTime (seconds), OverrideServiceWindows, ContentSize (KB, only once downloaded)
# (memdocs .../clients/sdk/ccm_softwareupdate-client-wmi-class.md). Queried once for cache, window and install.
try {
    $u = Get-Cim 'root/ccm/ClientSDK' 'CCM_SoftwareUpdate'
    Out-Section 'software_updates' ([ordered]@{ updates = @($u | Select-Object -First 200 | ForEach-Object {
        [ordered]@{ article = [string]$_.ArticleID; update_id = [string]$_.UpdateID; evaluation_state = [int]$_.EvaluationState
            error_code = [string]$_.ErrorCode; max_execution_s = [int]$_.MaxExecutionTime
            override_service_windows = [bool]$_.OverrideServiceWindows; content_kb = [string]$_.ContentSize } }) })
} catch { Out-Failure 'software_updates' $_ }
