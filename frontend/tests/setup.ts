import { configure } from '@testing-library/svelte';

// findBy*/waitFor give up after 1 s by default; allow for a loaded 2-core machine.
configure({ asyncUtilTimeout: 5_000 });
