# Source: learn.microsoft.com/mem/configmgr/sum/deploy-use/integrate-windows-update-for-business-windows-10
# (deferral policies with UseWUServer cause dual scan; DisableDualScan); MicrosoftDocs/windows-itpro-docs
# windows/deployment/update/wufb-wsus.md (scan source policies SetPolicyDrivenUpdateSourceFor*Updates on
# Windows 10 2004+ and 11, where DisableDualScan is no longer supported).
try {
    $k = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate'
    $o = [ordered]@{ defer_quality_updates = Get-RegValue $k 'DeferQualityUpdates'
        defer_feature_updates = Get-RegValue $k 'DeferFeatureUpdates'
        branch_readiness_level = Get-RegValue $k 'BranchReadinessLevel'
        disable_dual_scan = Get-RegValue $k 'DisableDualScan'
        target_release_version = Get-RegValue $k 'TargetReleaseVersion'
        source_quality = Get-RegValue $k 'SetPolicyDrivenUpdateSourceForQualityUpdates'
        source_feature = Get-RegValue $k 'SetPolicyDrivenUpdateSourceForFeatureUpdates'
        source_driver = Get-RegValue $k 'SetPolicyDrivenUpdateSourceForDriverUpdates'
        source_other = Get-RegValue $k 'SetPolicyDrivenUpdateSourceForOtherUpdates'
        use_update_class_policy_source = Get-RegValue ($k + '\AU') 'UseUpdateClassPolicySource' }
    Out-Section 'dual_scan' $o
} catch { Out-Failure 'dual_scan' $_ }
