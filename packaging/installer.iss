; Inno Setup script: builds LicencePanel-Setup.exe from the PyInstaller folder (packaging/dist/LicencePanel).
; Per-user install by default (no admin rights needed on locked-down office PCs).
[Setup]
AppId={{6F1C7E3A-2B8D-4C55-9E0B-5A7D2C1F4B90}
AppName=Licence Panel
AppVersion=0.1.0
DefaultDirName={localappdata}\Programs\LicencePanel
DefaultGroupName=Licence Panel
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputBaseFilename=LicencePanel-Setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[Files]
Source: "dist\LicencePanel\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\Licence Panel"; Filename: "{app}\LicencePanel.exe"
Name: "{userdesktop}\Licence Panel"; Filename: "{app}\LicencePanel.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Run]
Filename: "{app}\LicencePanel.exe"; Description: "{cm:LaunchProgram,Licence Panel}"; Flags: nowait postinstall skipifsilent
