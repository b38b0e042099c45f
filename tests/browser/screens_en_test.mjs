// Every screen in English: screenshots and the accessibility check (screens.mjs).
import { screensIn } from './screens.mjs';

screensIn('en-US', 'en', { user: 'Username', password: 'Password', submit: 'Sign in' });
