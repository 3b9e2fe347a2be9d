// The screens reachable from the sidebar, in sidebar order. Alt+<n> jumps to the
// n-th screen.

export type ScreenId =
  | 'today'
  | 'calendar'
  | 'clients'
  | 'matches'
  | 'requests'
  | 'exports'
  | 'audit'
  | 'settings';

export interface ScreenInfo {
  id: ScreenId;
  label: string;
}

export const screens: readonly ScreenInfo[] = [
  { id: 'today', label: 'Today' },
  { id: 'calendar', label: 'Calendar' },
  { id: 'clients', label: 'Clients' },
  { id: 'matches', label: 'Matches' },
  { id: 'requests', label: 'Requests' },
  { id: 'exports', label: 'Exports' },
  { id: 'audit', label: 'Audit' },
  { id: 'settings', label: 'Settings' },
];
