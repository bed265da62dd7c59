export { pageCommands, shownCommands, type ShownCommand } from './extract-commands';
export { checkCommand, readWorkspace, type CheapRun, type CommandCheck, type Workspace } from './check-command';
