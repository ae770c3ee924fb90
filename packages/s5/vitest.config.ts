import { packageConfig } from '../../vitest.shared';

export default packageConfig('s5');
