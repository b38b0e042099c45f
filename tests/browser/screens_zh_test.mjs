// Every screen in Simplified Chinese: screenshots and the accessibility check (screens.mjs).
import { screensIn } from './screens.mjs';

screensIn('zh-CN', 'zh-CN', { user: '用户名', password: '密码', submit: '登录' });
